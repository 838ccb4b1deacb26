// A minimal pwsh-compatible command-line host around the real PowerShell engine.
//
// Why it exists: on machines that cannot install PowerShell itself (no package, no internet) the NuGet package
// System.Management.Automation still carries the real engine: parser, compiler, scopes, modules, providers, the
// Core cmdlets (Import-Module, Get-Command, ForEach-Object, Where-Object, Out-Default…). It lacks the modules that
// ship only with PowerShell itself (Microsoft.PowerShell.Utility, .Management, .Security: ConvertTo-Json,
// Write-Output, Start-Sleep, Import-PSSession, New-Item…). Scripts that run here therefore use only the engine and
// .NET; they run unchanged in real pwsh 7 and Windows PowerShell 5.1. See docs/decisions.md.
//
// Supported command line (the part node-powershell and the project's tests use):
//   pwsh-host [-NoLogo] [-NoProfile] [-NonInteractive] [-NoExit] [-ExecutionPolicy X] [-InputFormat X]
//             [-OutputFormat X] (-Command - | -Command <text…> | -EncodedCommand <b64> | -File <path> [args…])
//   pwsh-host -Version
// `-Command -` reads statements from standard input, one complete statement (possibly several lines) at a time,
// exactly as pwsh does when its input is redirected; node-powershell drives pwsh that way.

using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;

namespace HybridPhotoSync.PwshHost;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 64;
        }

        if (options.ShowVersion)
        {
            Console.Out.WriteLine($"PowerShell {typeof(PSObject).Assembly.GetName().Version} (hybrid-photo-sync pwsh-host)");
            return 0;
        }

        var host = new MiniHost();
        var iss = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        var engine = new Engine(runspace, host);

        if (options.File is not null)
        {
            return engine.RunFile(options.File, options.FileArgs);
        }
        if (options.Command is null || options.Command == "-")
        {
            return engine.RunStdin();
        }
        return engine.RunText(options.Command);
    }
}

/// <summary>The command-line switches this host understands (a subset of pwsh's; names are case-insensitive and may be abbreviated like pwsh's).</summary>
internal sealed class Options
{
    public string? Command { get; private set; }
    public string? File { get; private set; }
    public List<string> FileArgs { get; } = new();
    public bool ShowVersion { get; private set; }

    private static bool Is(string arg, string name, int minLength)
    {
        if (!arg.StartsWith('-') && !arg.StartsWith('/')) return false;
        var bare = arg.TrimStart('-', '/');
        return bare.Length >= minLength && name.StartsWith(bare, StringComparison.OrdinalIgnoreCase);
    }

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (Is(a, "NoLogo", 3) || Is(a, "NoProfile", 3) || Is(a, "NonInteractive", 3) || Is(a, "NoExit", 3)) continue;
            if (Is(a, "ExecutionPolicy", 2) || Is(a, "InputFormat", 2) || Is(a, "OutputFormat", 2) || Is(a, "WorkingDirectory", 2))
            {
                i++;
                continue;
            }
            if (Is(a, "Version", 1))
            {
                o.ShowVersion = true;
                continue;
            }
            var bareName = a.TrimStart('-', '/');
            if (a.StartsWith('-') && (bareName.Equals("e", StringComparison.OrdinalIgnoreCase) || bareName.Equals("ec", StringComparison.OrdinalIgnoreCase) || Is(a, "EncodedCommand", 2)))
            {
                if (i + 1 >= args.Length) throw new ArgumentException("-EncodedCommand needs a value");
                o.Command = Encoding.Unicode.GetString(Convert.FromBase64String(args[++i]));
                return o;
            }
            if (Is(a, "Command", 1))
            {
                if (i + 1 >= args.Length) throw new ArgumentException("-Command needs a value");
                o.Command = string.Join(' ', args.Skip(i + 1));
                return o;
            }
            if (Is(a, "File", 1))
            {
                if (i + 1 >= args.Length) throw new ArgumentException("-File needs a value");
                o.File = args[i + 1];
                o.FileArgs.AddRange(args.Skip(i + 2));
                return o;
            }
            if (a.StartsWith('-')) throw new ArgumentException($"pwsh-host: unsupported parameter '{a}'");
            // pwsh treats a bare first argument as -File.
            o.File = a;
            o.FileArgs.AddRange(args.Skip(i + 1));
            return o;
        }
        return o;
    }
}

/// <summary>Runs text, files and standard input in one runspace, pwsh-style.</summary>
internal sealed class Engine(Runspace runspace, MiniHost host)
{
    /// <summary>Runs one chunk of script, output formatted by Out-Default, errors to standard error. Returns false on any error.</summary>
    private bool Execute(Action<PowerShell> build)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        build(ps);
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");
        try
        {
            ps.Invoke();
            return !ps.HadErrors;
        }
        catch (RuntimeException e)
        {
            host.ReportError(e.ErrorRecord);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine(e.Message);
            return false;
        }
        finally
        {
            Console.Out.Flush();
            Console.Error.Flush();
        }
    }

    public int RunText(string text)
    {
        var ok = Execute(ps => ps.AddScript(text));
        if (host.ShouldExit) return host.ExitCode;
        return ok ? 0 : 1;
    }

    public int RunFile(string path, List<string> args)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            Console.Error.WriteLine($"The argument '{path}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
            return 64;
        }
        Execute(ps =>
        {
            ps.AddCommand(full);
            for (var i = 0; i < args.Count; i++)
            {
                var a = args[i];
                if (a.Length > 1 && a[0] == '-' && !char.IsDigit(a[1]))
                {
                    var name = a[1..];
                    var colon = name.IndexOf(':');
                    if (colon >= 0)
                    {
                        var value = name[(colon + 1)..];
                        name = name[..colon];
                        ps.AddParameter(name, value.Equals("$false", StringComparison.OrdinalIgnoreCase) ? false
                            : value.Equals("$true", StringComparison.OrdinalIgnoreCase) ? true : value);
                    }
                    else if (i + 1 < args.Count && !(args[i + 1].Length > 1 && args[i + 1][0] == '-' && !char.IsDigit(args[i + 1][1])))
                    {
                        ps.AddParameter(name, args[++i]);
                    }
                    else
                    {
                        ps.AddParameter(name, true);
                    }
                }
                else
                {
                    ps.AddArgument(a);
                }
            }
        });
        if (host.ShouldExit) return host.ExitCode;
        return host.TerminatingErrors > 0 ? 1 : 0;
    }

    /// <summary>Reads statements from standard input until it ends (pwsh -Command -).</summary>
    public int RunStdin()
    {
        var pending = new StringBuilder();
        var lastOk = true;
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            pending.Append(line).Append('\n');
            var text = pending.ToString();
            Parser.ParseInput(text, out _, out var errors);
            if (errors.Any(e => e.IncompleteInput)) continue;
            pending.Clear();
            if (string.IsNullOrWhiteSpace(text)) continue;
            lastOk = Execute(ps => ps.AddScript(text));
            if (host.ShouldExit) return host.ExitCode;
        }
        if (pending.Length > 0 && !string.IsNullOrWhiteSpace(pending.ToString()))
        {
            lastOk = Execute(ps => ps.AddScript(pending.ToString()));
            if (host.ShouldExit) return host.ExitCode;
        }
        return lastOk ? 0 : 1;
    }
}

/// <summary>A non-interactive host: output to stdout, errors to stderr, no prompts.</summary>
internal sealed class MiniHost : PSHost
{
    private readonly MiniUi ui = new();
    public bool ShouldExit { get; private set; }
    public int ExitCode { get; private set; }
    public int TerminatingErrors { get; private set; }

    public override string Name => "hps-pwsh-host";
    public override Version Version => typeof(PSObject).Assembly.GetName().Version ?? new Version(7, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => ui;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    public override void SetShouldExit(int exitCode)
    {
        ShouldExit = true;
        ExitCode = exitCode;
    }

    public void ReportError(ErrorRecord record)
    {
        TerminatingErrors++;
        var position = record.InvocationInfo?.PositionMessage;
        ui.WriteErrorLine(string.IsNullOrEmpty(position) ? record.ToString() : $"{record}\n{position}");
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException("nested prompts are not supported");
    public override void ExitNestedPrompt() => throw new NotSupportedException("nested prompts are not supported");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed class MiniUi : PSHostUserInterface
{
    private readonly MiniRawUi raw = new();
    public override PSHostRawUserInterface RawUI => raw;

    public override void Write(string value) => Console.Out.Write(value);
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Out.Write(value);
    public override void WriteLine(string value) => Console.Out.WriteLine(value);
    public override void WriteErrorLine(string value) => Console.Error.WriteLine(value);
    public override void WriteDebugLine(string message) => Console.Out.WriteLine("DEBUG: " + message);
    public override void WriteVerboseLine(string message) => Console.Out.WriteLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message) => Console.Out.WriteLine("WARNING: " + message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    private static Exception NonInteractive() =>
        new PSInvalidOperationException("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.");

    public override string ReadLine() => throw NonInteractive();
    public override SecureString ReadLineAsSecureString() => throw NonInteractive();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw NonInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NonInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NonInteractive();
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw NonInteractive();
}

internal sealed class MiniRawUi : PSHostRawUserInterface
{
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get; set; } = new(120, 9999);
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => new(120, 9999);
    public override Size MaxWindowSize => new(120, 9999);
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get; set; } = new(120, 50);
    public override string WindowTitle { get; set; } = "pwsh-host";

    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new PSInvalidOperationException("PowerShell is in NonInteractive mode.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}
