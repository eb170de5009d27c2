using System.Runtime.InteropServices;
using Cfcd.Distributed;

namespace Cfcd.Tests.Distributed;

public class NcclGradientsTests
{
    [Fact]
    public void WithoutNcclTheErrorIsOneLineThatNamesTheLibraryAndWhatToInstall()
    {
        if (NativeLibrary.TryLoad(NcclLibrary.FileName, out var library))
        {
            // A machine with NCCL: making a communicator needs a GPU and every rank, which a unit test lacks.
            NativeLibrary.Free(library);
            return;
        }
        var error = Assert.Throws<InputException>(() => new NcclGradients(SingleProcessGroup.Instance, localRank: 0));
        Assert.StartsWith("libnccl.so.2 not found", error.Message);
        Assert.Contains("libnccl2", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
