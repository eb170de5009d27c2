using System.Runtime.CompilerServices;
using Cfcd.Native;

namespace Cfcd.Tests;

/// <summary>
/// The tests run on the kernels cfcd itself would choose on this host, chosen before any test touches libtorch.
/// </summary>
internal static class CpuKernelSetup
{
    [ModuleInitializer]
    internal static void ChooseKernels() => CpuKernelSelection.Configure();
}
