namespace Cfcd.Tests;

public class InputTextTests
{
    [Theory]
    [InlineData("model_state", "model_state")]
    [InlineData("a\nb\u0000c\u007f", "a\\x0ab\\x00c\\x7f")]
    [InlineData("\u2028\u200ex", "\\u2028\\u200ex")]
    [InlineData("gewicht é 😀", "gewicht é 😀")]
    public void ControlAndUnprintableCharactersAreEscaped(string value, string quoted) =>
        Assert.Equal(quoted, InputText.Quote(value));

    [Fact]
    public void ALoneSurrogateIsEscaped() => Assert.Equal("a\\ud800b", InputText.Quote($"a{(char)0xd800}b"));

    [Fact]
    public void LongValuesAreCutWithTheirLength()
    {
        Assert.Equal("abc... (9000000 characters)", InputText.Quote("abc" + new string('x', 8_999_997), limit: 3));
        Assert.Equal(new string('k', 80) + "... (81 characters)", InputText.Quote(new string('k', 81)));
        Assert.Equal(new string('k', 80), InputText.Quote(new string('k', 80)));
        // A pair is not split: the cut falls before it.
        Assert.Equal("ab... (4 characters)", InputText.Quote("ab😀", limit: 3));
    }
}
