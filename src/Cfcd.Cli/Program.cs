using Cfcd.Cli;
using Cfcd.Native;

MallocTuning.Apply();
return await CfcdCli.RunAsync(args, Console.Out, Console.Error);
