using Cfcd.Config;
using Cfcd.Modeling;
using static TorchSharp.torch;

namespace Cfcd.Data;

/// <summary>Turns pixels into the network's input: channel order, then (x / 255 - mean) / std, as [1, 3, H, W].</summary>
public static class InputTensor
{
    public static Tensor FromImage(RgbImage image, InputConvention convention)
    {
        int plane = image.Width * image.Height;
        var values = new float[3 * plane];
        for (int channel = 0; channel < 3; channel++)
        {
            // BGR puts the image's blue (index 2) in the first plane.
            int source = convention.ChannelOrder == ChannelOrder.Bgr ? 2 - channel : channel;
            float scale = 1f / (255f * convention.Std[channel]);
            float shift = convention.Mean[channel] / convention.Std[channel];
            var pixels = image.Pixels;
            for (int i = 0, offset = channel * plane; i < plane; i++)
                values[offset + i] = pixels[3 * i + source] * scale - shift;
        }
        return tensor(values, [1, 3, image.Height, image.Width]);
    }
}
