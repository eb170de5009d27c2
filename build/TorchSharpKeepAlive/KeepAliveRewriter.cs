// Compiled into the build tool (build/TorchSharpKeepAlive) and into the tests, which run it on a pristine copy.
//
// Why: TorchSharp 0.107's Tensor and Scalar hold raw native pointers and free them in finalizers. In optimised code
// an object is dead once its Handle has been read, so a garbage collection on another thread while the native call
// runs lets the finalizer free what libtorch is reading: crashes, or a freed scalar read as a wrong number (a
// learning rate, a margin). TorchSharp also makes such objects itself inside ordinary calls (add_(tensor) is
// add_(tensor, 1), with an implicit Scalar). This rewrite makes every method of TorchSharp.dll keep them alive until
// it returns: before every `ret`, GC.KeepAlive of `this`, of each argument and local whose type has a finalizer
// (or is an array or collection of one), and of every such object a call or `new` in the method produced (spilled
// to a local of its own first). GC.KeepAlive is a no-op the JIT knows; it only extends the lifetimes.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace Cfcd.Build
{
    public static class KeepAliveRewriter
    {
        /// <summary>The resource that marks a rewritten assembly, so that the rewrite runs once.</summary>
        public const string Marker = "Cfcd.KeepAlive.v1";

        private static readonly HashSet<string> Collections = new HashSet<string>
        {
            "System.Collections.Generic.List`1", "System.Collections.Generic.IList`1",
            "System.Collections.Generic.IEnumerable`1",
            "System.Collections.Generic.IReadOnlyList`1", "System.Collections.Generic.ICollection`1",
            "System.Collections.Generic.IReadOnlyCollection`1", "System.Collections.Generic.Dictionary`2",
            "System.Collections.Generic.IDictionary`2", "System.Collections.Generic.IReadOnlyDictionary`2",
        };

        /// <summary>
        /// Rewrites the file (a new file moved over it, never written through); null where it was already done.
        /// </summary>
        public static string? RewriteInPlace(string path)
        {
            byte[] original = File.ReadAllBytes(path);
            using var module = ModuleDefinition.ReadModule(
                new MemoryStream(original), new ReaderParameters { ReadingMode = ReadingMode.Immediate });
            if (IsRewritten(module))
                return null;
            var counts = Rewrite(module);
            string temporary = path + ".keepalive.tmp";
            module.Write(temporary);
            File.Move(temporary, path, overwrite: true);
            return $"{counts.Methods} methods, {counts.KeptAlive} values kept alive at {counts.Returns} returns";
        }

        public static bool IsRewritten(ModuleDefinition module) => module.Resources.Any(r => r.Name == Marker);

        public static (int Methods, int Returns, int KeptAlive) Rewrite(ModuleDefinition module)
        {
            var finalizable = FinalizableTypes(module);
            var keepAlive = KeepAliveMethod(module);
            int methods = 0, returns = 0, keptAlive = 0;
            foreach (var type in module.GetTypes())
                foreach (var method in type.Methods.Where(m => m.HasBody))
                {
                    var (methodReturns, values) = RewriteMethod(method, finalizable, keepAlive);
                    if (methodReturns == 0)
                        continue;
                    methods++;
                    returns += methodReturns;
                    keptAlive += values * methodReturns;
                }
            module.Resources.Add(new EmbeddedResource(Marker, ManifestResourceAttributes.Private, Array.Empty<byte>()));
            return (methods, returns, keptAlive);
        }

        /// <summary>
        /// Types of the module that free something in a finalizer: their own Finalize, or a base type's.
        /// </summary>
        public static HashSet<string> FinalizableTypes(ModuleDefinition module)
        {
            var result = new HashSet<string>();
            bool Finalizable(TypeDefinition? type) =>
                type != null && (result.Contains(type.FullName)
                    || type.Methods.Any(m => m.Name == "Finalize" && m.IsVirtual && !m.HasParameters)
                    || (type.BaseType?.Scope == module && Finalizable(type.BaseType.Resolve())));
            foreach (var type in module.GetTypes().Where(t => t.IsClass && !t.IsValueType))
                if (Finalizable(type))
                    result.Add(type.FullName);
            return result;
        }

        private static (int Returns, int Values) RewriteMethod(
            MethodDefinition method, HashSet<string> finalizable, MethodReference keepAlive)
        {
            var body = method.Body;
            var instructions = body.Instructions;
            if (!instructions.Any(i => i.OpCode == OpCodes.Ret)
                || instructions.Any(i =>
                    i.OpCode == OpCodes.Tail || i.OpCode == OpCodes.Jmp || i.OpCode == OpCodes.Localloc))
                return (0, 0);
            body.SimplifyMacros();
            var held = new List<Instruction>();   // a load of each value to keep alive
            if (method.HasThis && finalizable.Contains(method.DeclaringType.FullName))
                held.Add(Instruction.Create(OpCodes.Ldarg, body.ThisParameter));
            foreach (var parameter in method.Parameters.Where(p => Holds(p.ParameterType, finalizable)))
                held.Add(Instruction.Create(OpCodes.Ldarg, parameter));
            foreach (var local in body.Variables.Where(v => Holds(v.VariableType, finalizable)).ToList())
                held.Add(Instruction.Create(OpCodes.Ldloc, local));
            foreach (var producer in instructions.Where(i => Produces(i, finalizable)).ToList())
            {
                var temporary = new VariableDefinition(ProducedType(producer)!);
                body.Variables.Add(temporary);
                var il = body.GetILProcessor();
                il.InsertAfter(producer, Instruction.Create(OpCodes.Stloc, temporary));
                il.InsertAfter(producer, Instruction.Create(OpCodes.Dup));
                held.Add(Instruction.Create(OpCodes.Ldloc, temporary));
            }
            if (held.Count == 0)
            {
                body.OptimizeMacros();
                return (0, 0);
            }
            body.InitLocals = true;   // a kept-alive local must never be read uninitialised
            var rets = instructions.Where(i => i.OpCode == OpCodes.Ret).ToList();
            foreach (var ret in rets)
            {
                // The ret instruction itself becomes the first load, so branches and handler ends that point at it
                // now point at the keep-alive sequence; a new ret closes the sequence. The return value stays below.
                var il = body.GetILProcessor();
                var cursor = ret;
                for (int k = 0; k < held.Count; k++)
                {
                    var load = held[k];
                    if (k == 0)
                    {
                        ret.OpCode = load.OpCode;
                        ret.Operand = load.Operand;
                    }
                    else
                    {
                        var next = Copy(load);
                        il.InsertAfter(cursor, next);
                        cursor = next;
                    }
                    var call = Instruction.Create(OpCodes.Call, keepAlive);
                    il.InsertAfter(cursor, call);
                    cursor = call;
                }
                il.InsertAfter(cursor, Instruction.Create(OpCodes.Ret));
            }
            body.OptimizeMacros();
            return (rets.Count, held.Count);
        }

        private static Instruction Copy(Instruction load) => load.Operand switch
        {
            ParameterDefinition parameter => Instruction.Create(load.OpCode, parameter),
            VariableDefinition variable => Instruction.Create(load.OpCode, variable),
            _ => throw new InvalidOperationException($"unexpected load {load}"),
        };

        /// <summary>
        /// A call or new whose result is an object with a finalizer (what may be a hidden temporary).
        /// </summary>
        private static bool Produces(Instruction instruction, HashSet<string> finalizable)
        {
            var type = ProducedType(instruction);
            return type != null && finalizable.Contains(type.FullName);
        }

        private static TypeReference? ProducedType(Instruction instruction)
        {
            if (instruction.OpCode == OpCodes.Newobj)
                return ((MethodReference)instruction.Operand).DeclaringType;
            if (instruction.OpCode == OpCodes.Call || instruction.OpCode == OpCodes.Callvirt)
            {
                var callee = (MethodReference)instruction.Operand;
                return callee.ReturnType.IsGenericParameter ? null : callee.ReturnType;
            }
            return null;
        }

        /// <summary>
        /// Whether a value of this type holds objects with finalizers: one of them, an array or a collection of them.
        /// </summary>
        private static bool Holds(TypeReference type, HashSet<string> finalizable) => type switch
        {
            ByReferenceType or PointerType or PinnedType or RequiredModifierType or OptionalModifierType => false,
            ArrayType array => Holds(array.ElementType, finalizable),
            GenericInstanceType generic => Collections.Contains(generic.ElementType.FullName)
                && generic.GenericArguments.Any(a => Holds(a, finalizable)),
            _ => finalizable.Contains(type.FullName),
        };

        private static MethodReference KeepAliveMethod(ModuleDefinition module)
        {
            var corlib = module.TypeSystem.CoreLibrary;
            var gc = new TypeReference("System", "GC", module, corlib);
            var keepAlive = new MethodReference("KeepAlive", module.TypeSystem.Void, gc) { HasThis = false };
            keepAlive.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
            return module.ImportReference(keepAlive);
        }
    }
}
