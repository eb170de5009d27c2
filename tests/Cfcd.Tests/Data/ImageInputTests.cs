using Cfcd.Data;
using SkiaSharp;

namespace Cfcd.Tests.Data;

public unsafe class ImageInputTests
{
    private static string WritePng(string folder, string name, SKBitmap bitmap)
    {
        string path = Path.Combine(folder, name);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static byte[] Rgb(PixelView view, int x, int y)
    {
        byte* pixel = view.Pixels + y * view.Stride + x * 4;
        return [pixel[0], pixel[1], pixel[2]];
    }

    [Fact]
    public void PngPixelsComeBackExactlyAndGrayscaleHasThreeChannels()
    {
        string folder = TestPaths.NewTempFolder();
        using var reader = new ImageReader();
        using var colour = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        colour.SetPixel(0, 0, new SKColor(10, 20, 30));
        colour.SetPixel(2, 1, new SKColor(200, 100, 50, 128));
        using (var image = ImageReader.Open(WritePng(folder, "c.png", colour)))
        {
            var view = reader.Decode(image);
            Assert.Equal((3, 2), (view.Width, view.Height));
            Assert.Equal(new byte[] { 10, 20, 30 }, Rgb(view, 0, 0));
            // A half-transparent pixel keeps its colour: alpha is dropped, not composited.
            Assert.Equal(new byte[] { 200, 100, 50 }, Rgb(view, 2, 1));
        }

        using var gray = new SKBitmap(new SKImageInfo(2, 2, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.Erase(new SKColor(77, 77, 77));
        using var grayImage = ImageReader.Open(WritePng(folder, "g.png", gray));
        var grayView = reader.Decode(grayImage);
        Assert.Equal(new byte[] { 77, 77, 77 }, Rgb(grayView, 1, 1));
    }

    [Fact]
    public void MissingAndUnreadableFilesAreInputErrors()
    {
        string folder = TestPaths.NewTempFolder();
        Assert.EndsWith("no such image file",
            Assert.Throws<InputException>(() => ImageReader.Open(Path.Combine(folder, "none.jpg"))).Message);
        string text = Path.Combine(folder, "t.jpg");
        File.WriteAllText(text, "hello");
        Assert.StartsWith(text + ": not a readable image",
            Assert.Throws<InputException>(() => ImageReader.Open(text)).Message);
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
        Assert.Equal([Path.Combine(folder, "b.jpg"), Path.Combine(folder, "c d.jpg"),
            Path.Combine(folder, "sub/x.jpg")], ImageList.Read(list));

        File.WriteAllText(list, "# nothing\n");
        Assert.EndsWith("the list names no images", Assert.Throws<InputException>(() => ImageList.Read(list)).Message);
        Assert.EndsWith("no such list file or folder",
            Assert.Throws<InputException>(() => ImageList.Read(Path.Combine(folder, "nope"))).Message);
    }
}
