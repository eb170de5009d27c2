using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Modeling;
using SkiaSharp;
using TorchSharp;

namespace Cfcd.Tests.Data;

public class ImageInputTests
{
    private static string WritePng(string folder, string name, SKBitmap bitmap)
    {
        string path = Path.Combine(folder, name);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void PngPixelsComeBackExactlyAndGrayscaleHasThreeChannels()
    {
        string folder = TestPaths.NewTempFolder();
        using var colour = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        colour.SetPixel(0, 0, new SKColor(10, 20, 30));
        colour.SetPixel(2, 1, new SKColor(200, 100, 50, 128));
        var image = ImageDecoder.Decode(WritePng(folder, "c.png", colour));
        Assert.Equal((3, 2), (image.Width, image.Height));
        Assert.Equal(new byte[] { 10, 20, 30 }, new[] { image[0, 0, 0], image[0, 0, 1], image[0, 0, 2] });
        // A half-transparent pixel keeps its colour: alpha is dropped, not composited.
        Assert.Equal(new byte[] { 200, 100, 50 }, new[] { image[1, 2, 0], image[1, 2, 1], image[1, 2, 2] });

        using var gray = new SKBitmap(new SKImageInfo(2, 2, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.Erase(new SKColor(77, 77, 77));
        var grayImage = ImageDecoder.Decode(WritePng(folder, "g.png", gray));
        Assert.All(grayImage.Pixels, value => Assert.Equal(77, value));
    }

    [Fact]
    public void MissingAndDamagedImagesAreInputErrors()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.EndsWith("no such image file", Assert.Throws<InputException>(() => ImageDecoder.Decode(Path.Combine(folder, "none.jpg"))).Message);
        string text = Path.Combine(folder, "t.jpg");
        File.WriteAllText(text, "hello");
        Assert.StartsWith(text + ": not a readable image", Assert.Throws<InputException>(() => ImageDecoder.Decode(text)).Message);
    }

    [Fact]
    public void InputTensorAppliesChannelOrderAndStatistics()
    {
        var image = new RgbImage(1, 1, [255, 0, 51]);
        var bgr = InputTensor.FromImage(image, new InputConvention(ChannelOrder.Bgr, [0.1f, 0.2f, 0.3f], [0.5f, 0.5f, 0.25f]));
        Assert.Equal([1L, 3, 1, 1], bgr.shape);
        // Planes: blue (51), green (0), red (255), each (x / 255 - mean) / std.
        var expected = new[] { (0.2f - 0.1f) / 0.5f, (0f - 0.2f) / 0.5f, (1f - 0.3f) / 0.25f };
        var actual = bgr.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            Assert.Equal(expected[i], actual[i], 5);
        var rgb = InputTensor.FromImage(image, new InputConvention(ChannelOrder.Rgb, [0f, 0f, 0f], [1f, 1f, 1f]));
        Assert.Equal(new[] { 1.0, 0.0, 0.2 }, rgb.data<float>().ToArray().Select(value => Math.Round(value, 6)));
    }

    [Fact]
    public void ListsAndFoldersGiveOrderedPaths()
    {
        string folder = TestPaths.NewTempFolder();
        foreach (var name in new[] { "b.jpg", "a.png", "notes.txt", "c d.jpg" })
            File.WriteAllText(Path.Combine(folder, name), "");
        Assert.Equal(["a.png", "b.jpg", "c d.jpg"], ImageList.Read(folder).Select(Path.GetFileName));

        string list = Path.Combine(folder, "list.txt");
        File.WriteAllText(list, "# comment\nb.jpg 17\n\nc d.jpg\nsub/x.jpg\t3\n");
        Assert.Equal([Path.Combine(folder, "b.jpg"), Path.Combine(folder, "c d.jpg"), Path.Combine(folder, "sub/x.jpg")], ImageList.Read(list));

        File.WriteAllText(list, "# nothing\n");
        Assert.EndsWith("the list names no images", Assert.Throws<InputException>(() => ImageList.Read(list)).Message);
        Assert.EndsWith("no such list file or folder", Assert.Throws<InputException>(() => ImageList.Read(Path.Combine(folder, "nope"))).Message);
    }
}
