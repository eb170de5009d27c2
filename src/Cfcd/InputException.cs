namespace Cfcd;

/// <summary>
/// Bad input from the user: a missing or malformed file, an invalid option or config value.
/// The message is one line that names the file (and key or offset) and the problem; the CLI prints it
/// without a stack trace and exits with code 2.
/// </summary>
public class InputException : Exception
{
    public InputException(string message) : base(message)
    {
    }

    public InputException(string message, Exception inner) : base(message, inner)
    {
    }
}
