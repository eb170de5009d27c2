using Cfcd.Cli;

return await CfcdCli.RunAsync(args, Console.Out, Console.Error);
