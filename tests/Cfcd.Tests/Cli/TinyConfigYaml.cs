namespace Cfcd.Tests.Cli;

/// <summary>Config files for the two CFCD stages on a tiny synthetic set, as a user writes them.</summary>
internal static class TinyConfigYaml
{
    /// <summary>A ResNet-18 of width 4 with 8-d descriptors on the set in <paramref name="data"/>, then body.</summary>
    public static string With(string data, string body) => $"""
        model:
          depth: 18
          width: 4
          descriptor_dim: 8
          channel_order: rgb
          mean: [0.485, 0.456, 0.406]
          std: [0.229, 0.224, 0.225]
        data:
          root: {data}
          train_list: {data}/train_list.txt
          val_list: {data}/val_list.txt
          workers: 2
        {body}
        """;

    /// <summary>Stage 1: 32 x 32 crops, two epochs of batches of 8, ghost batch norm of 4.</summary>
    public static string StageOne(string data) => With(data, """
          image_size: 32
          val_resize: 36
        train:
          epochs: 2
          batch_size: 8
          ghost_bn: 4
          device: cpu
          log_every: 2
        """);

    /// <summary>Stage 2 from a stage-1 checkpoint: 64 x 64 crops, tuples of 4 from its scores, one epoch.</summary>
    public static string StageTwo(string data, string scores, string checkpoint) => With(data, $"""
          image_size: 64
          val_resize: 72
        sampler:
          kind: hard_negative
          scores: {scores}
          tuple_size: 4
        train:
          stage: 2
          epochs: 1
          batch_size: 8
          ghost_bn: 0
          init_from: {checkpoint}
          device: cpu
          log_every: 2
        loss:
          local_group: 4
          lowe_ratio: 1.0
        """);
}
