// Compiled twice: by MSBuild's RoslynCodeTaskFactory (with the task class at the bottom) to fix
// TorchSharp's native glue in output folders, and by the test project (CFCD_ELF_ONLY) to test it.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so declares a need for GLIBCXX_3.4.32 (GCC 13) although
// the only symbol of that version it names is never relocated. Debian 12's libstdc++ stops at
// GLIBCXX_3.4.30, so the loader refuses the library. Marking that one version need weak
// (VER_FLG_WEAK in vna_flags of .gnu.version_r) lets it load; see docs/architecture.md section 2.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Cfcd.Build
{
    public static class ElfVersionNeeds
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        public const ushort VerFlagWeak = 0x2;

        /// <summary>One version a shared object needs from a library (an entry of .gnu.version_r).</summary>
        public sealed class Need
        {
            public Need(string library, string version, ushort flags, long flagsOffset)
            {
                Library = library;
                Version = version;
                Flags = flags;
                FlagsOffset = flagsOffset;
            }

            public string Library { get; }
            public string Version { get; }
            public ushort Flags { get; }
            public long FlagsOffset { get; }
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>The version needs of an ELF64 little-endian shared object.</summary>
        public static List<Need> ReadNeeds(byte[] elf)
        {
            var needs = new List<Need>();
            foreach (var (offset, count, strings) in FindVersionSections(elf, ShtGnuVerneed))
            {
                long entry = offset;
                for (int i = 0; i < count; i++)
                {
                    ushort auxCount = U16(elf, entry + 2);
                    string library = CString(elf, strings + U32(elf, entry + 4));
                    long aux = entry + U32(elf, entry + 8);
                    for (int j = 0; j < auxCount; j++)
                    {
                        string version = CString(elf, strings + U32(elf, aux + 8));
                        needs.Add(new Need(library, version, U16(elf, aux + 4), aux + 4));
                        aux += U32(elf, aux + 12);
                    }
                    entry += U32(elf, entry + 12);
                }
            }
            return needs;
        }

        /// <summary>The version names an ELF64 little-endian shared object defines (.gnu.version_d).</summary>
        public static HashSet<string> ReadDefinitions(byte[] elf)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (offset, count, strings) in FindVersionSections(elf, ShtGnuVerdef))
            {
                long entry = offset;
                for (int i = 0; i < count; i++)
                {
                    long aux = entry + U32(elf, entry + 12);
                    names.Add(CString(elf, strings + U32(elf, aux)));
                    entry += U32(elf, entry + 16);
                }
            }
            return names;
        }

        /// <summary>
        /// Marks weak the needs of <paramref name="library"/> whose version is in <paramref name="weakenable"/>
        /// and not in <paramref name="available"/>. Returns the versions changed (empty when nothing was to do).
        /// </summary>
        public static List<string> Weaken(byte[] elf, string library, ICollection<string> weakenable,
            ICollection<string> available)
        {
            var changed = new List<string>();
            foreach (var need in ReadNeeds(elf))
            {
                if (need.Library != library || need.IsWeak || available.Contains(need.Version)
                    || !weakenable.Contains(need.Version))
                    continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed.Add(need.Version);
            }
            return changed;
        }

        /// <summary>Strong needs of <paramref name="library"/> that <paramref name="available"/> does not
        /// define.</summary>
        public static List<string> UnmetStrongNeeds(byte[] elf, string library, ICollection<string> available)
        {
            var unmet = new List<string>();
            foreach (var need in ReadNeeds(elf))
                if (need.Library == library && !need.IsWeak && !available.Contains(need.Version))
                    unmet.Add(need.Version);
            return unmet;
        }

        /// <summary>Writes <paramref name="bytes"/> over <paramref name="path"/> through a temporary file and a rename,
        /// so a hard link into a package cache is replaced, never modified.</summary>
        public static void ReplaceFile(string path, byte[] bytes)
        {
            string temporary = path + ".cfcd-tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Delete(path); // netstandard2.0 (what MSBuild compiles this with) has no File.Move overwrite
            File.Move(temporary, path);
        }

        private static IEnumerable<(long Offset, uint Count, long Strings)> FindVersionSections(byte[] elf,
            uint sectionType)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            long sectionTable = (long)U64(elf, 0x28);
            ushort entrySize = U16(elf, 0x3a);
            ushort sectionCount = U16(elf, 0x3c);
            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionTable + (long)i * entrySize;
                if (U32(elf, header + 4) != sectionType)
                    continue;
                uint link = U32(elf, header + 40);
                long strings = (long)U64(elf, sectionTable + (long)link * entrySize + 24);
                // sh_info holds the number of entries for both version sections.
                yield return ((long)U64(elf, header + 24), U32(elf, header + 44), strings);
            }
        }

        private static ushort U16(byte[] b, long at) => (ushort)(b[at] | b[at + 1] << 8);
        private static uint U32(byte[] b, long at) =>
            (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);
        private static ulong U64(byte[] b, long at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;

        private static string CString(byte[] b, long at)
        {
            long end = at;
            while (b[end] != 0)
                end++;
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }
    }
}

#if !CFCD_ELF_ONLY
namespace Cfcd.Build
{
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;

    /// <summary>Fixes every libLibTorchSharp.so under a folder for the machine's libstdc++, in place and
    /// idempotently.</summary>
    public sealed class WeakenMissingVersionNeeds : Task
    {
        private static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        [Required] public string Folder { get; set; } = "";
        [Required] public string FileName { get; set; } = "";
        [Required] public string Versions { get; set; } = "";

        public override bool Execute()
        {
            if (!Directory.Exists(Folder))
                return true;
            string libStdCxx = Array.Find(LibStdCxxCandidates, File.Exists);
            if (libStdCxx == null)
            {
                Log.LogMessage(MessageImportance.Normal,
                    "cfcd: no libstdc++.so.6 found; leaving " + FileName + " as shipped");
                return true;
            }
            var available = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(libStdCxx));
            var weakenable =
                new HashSet<string>(Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (string path in Directory.EnumerateFiles(Folder, FileName, SearchOption.AllDirectories))
            {
                byte[] elf = File.ReadAllBytes(path);
                var changed = ElfVersionNeeds.Weaken(elf, "libstdc++.so.6", weakenable, available);
                if (changed.Count > 0)
                {
                    ElfVersionNeeds.ReplaceFile(path, elf);
                    Log.LogMessage(MessageImportance.High, "cfcd: " + path + ": weakened libstdc++ version need "
                        + string.Join(", ", changed) + " (" + libStdCxx + " lacks it)");
                }
                var unmet = ElfVersionNeeds.UnmetStrongNeeds(elf, "libstdc++.so.6", available);
                if (unmet.Count > 0)
                    Log.LogWarning("cfcd: " + path + " needs " + string.Join(", ", unmet) + " which " + libStdCxx
                        + " lacks; TorchSharp will not load on this machine");
            }
            return true;
        }
    }
}
#endif
