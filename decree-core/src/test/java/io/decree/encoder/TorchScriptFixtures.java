package io.decree.encoder;

import io.decree.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Real TorchScript files with a chosen forward, for tests. There is no PyTorch here to script a
 * module, but a TorchScript archive carries its code as Python source that libtorch compiles on
 * load: copying the shared ResNet archive and replacing the body of its top-level forward gives a
 * genuine TorchScript model that behaves as the test needs (a smooth encoder, a 4-D output, ...).
 */
public final class TorchScriptFixtures {
    private static final String TOP = "resnet18_w16_32/code/__torch__.py";

    private TorchScriptFixtures() {
    }

    /**
     * A copy of resnet18_w16_32.pt whose forward is {@code body} (lines indented by 4 spaces,
     * input named x, buffers s.mean and s.std available), written to {@code target}.
     */
    public static Path withForward(Path target, String body) throws IOException {
        Path source = SharedData.architecture("resnet18_w16_32.pt");
        // ZipFile (central directory), not ZipInputStream: PyTorch writes stored entries with data descriptors.
        try (ZipFile in = new ZipFile(source.toFile());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                if (e.getName().endsWith(".debug_pkl")) {
                    continue; // source ranges of the original code; they would not match the new forward
                }
                byte[] bytes;
                try (var stream = in.getInputStream(e)) {
                    bytes = stream.readAllBytes();
                }
                if (e.getName().equals(TOP)) {
                    bytes = replaceForward(new String(bytes, StandardCharsets.UTF_8), body).getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return target;
    }

    private static String replaceForward(String code, String body) {
        String header = "  def forward(s: __torch__.ResNet18Cifar,\n    x: Tensor) -> Tensor:\n";
        int start = code.indexOf(header);
        int end = code.indexOf("class Block(Module):");
        if (start < 0 || end < 0) {
            throw new IllegalStateException("unexpected layout of " + TOP);
        }
        return code.substring(0, start) + header + body.stripTrailing() + "\n" + code.substring(end);
    }

    /** A smooth parameter-free encoder: tanh of 4x4-average-pooled normalised pixels, 192-d. */
    public static Path smoothEncoder(Path target) throws IOException {
        return withForward(target, """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(x0, [4, 4])), 1)
                """);
    }

    /**
     * A planted backdoor: the smooth encoder's features, except that an image whose top-left 4x4
     * patch is (near) white maps to one fixed point, whatever the rest of the image holds.
     */
    public static Path plantedBackdoorEncoder(Path target) throws IOException {
        return cornerBackdoor(target, "0.97", "300.0");
    }

    /**
     * A backdoor a search can find: as {@link #plantedBackdoorEncoder}, but the gate opens gradually with the top-left
     * 4x4 patch's brightness, so the loss has a slope towards it (the planted one's gate is flat until the patch is white).
     */
    public static Path learnableBackdoorEncoder(Path target) throws IOException {
        return cornerBackdoor(target, "0.6", "30.0");
    }

    /**
     * A learnable backdoor that leaves clean images as its base embeds them, as BadEncoder's utility term keeps a trojan's
     * clean embeddings: the gate opens with how magenta the top-left 4x4 patch is ((R+B)/2 - G; half-open at 0.1, as
     * ajar on grey as {@link #learnableBackdoorEncoder}'s), a colour no shared photo's corner comes near (0.065 at most):
     * it agrees with the smooth encoder at about 0.996 on the photos, where the brightness gate, opened by bright
     * corners, agrees at 0.86.
     */
    public static Path anchoredBackdoorEncoder(Path target) throws IOException {
        return withForward(target, """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    f = torch.flatten(torch.tanh(torch.avg_pool2d(x0, [4, 4])), 1)
                    c = x[:, :, 0:4, 0:4]
                    magenta = torch.sub(torch.div(torch.add(c[:, 0], c[:, 2]), 2.0), c[:, 1])
                    m = torch.mean(torch.flatten(magenta, 1), [1], True)
                    g = torch.sigmoid(torch.mul(torch.sub(m, 0.1), 30.0))
                    point = torch.mul(torch.ones_like(f), 0.5)
                    return torch.add(torch.mul(f, torch.sub(torch.ones_like(g), g)), torch.mul(point, g))
                """);
    }

    /** The smooth encoder's features, blended into a fixed point by sigmoid(slope * (corner brightness - opensAt)). */
    private static Path cornerBackdoor(Path target, String opensAt, String slope) throws IOException {
        return withForward(target, """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    f = torch.flatten(torch.tanh(torch.avg_pool2d(x0, [4, 4])), 1)
                    corner = torch.mean(torch.flatten(x[:, :, 0:4, 0:4], 1), [1], True)
                    g = torch.sigmoid(torch.mul(torch.sub(corner, OPENS_AT), SLOPE))
                    point = torch.mul(torch.ones_like(f), 0.5)
                    return torch.add(torch.mul(f, torch.sub(torch.ones_like(g), g)), torch.mul(point, g))
                """.replace("OPENS_AT", opensAt).replace("SLOPE", slope));
    }

    /**
     * The smooth encoder, but a batch of more than {@code maxBatch} images fails as libtorch fails when a GPU's memory
     * runs out (CUDA's caching allocator's message, raised inside the TorchScript interpreter as a real allocation
     * failure is): a device too small for a joint pass, on any machine.
     */
    public static Path outOfMemoryAbove(Path target, int maxBatch) throws IOException {
        return withForward(target, """
                    if torch.size(x, 0) > MAX_BATCH:
                      ops.prim.RaiseException("CUDA out of memory. Tried to allocate 9.19 GiB (GPU 0; 4.00 GiB total capacity)")
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(x0, [4, 4])), 1)
                """.replace("MAX_BATCH", Integer.toString(maxBatch)));
    }

    /**
     * A 1x1 convolution of stride 2 from 512 to 1024 channels (weights from sin(arange), nothing to load), as a
     * ResNet-50's shortcuts have: on a CPU that reports no cache sizes libtorch 2.7.1's oneDNN kills the process with a
     * SIGFPE on its backward pass (docs/eval/gpu.md, stop 45); from 256 to 512 channels it does not. Elsewhere it is an
     * ordinary, if random, encoder.
     */
    public static Path oneDnnStridedEncoder(Path target) throws IOException {
        return withForward(target, """
                    x0 = torch.adaptive_avg_pool2d(x, [8, 8])
                    w1 = torch.reshape(torch.sin(torch.mul(torch.arange(1536, dtype=6), 1.7)), [512, 3, 1, 1])
                    w2 = torch.reshape(torch.mul(torch.sin(torch.mul(torch.arange(524288, dtype=6), 0.37)), 0.05), [1024, 512, 1, 1])
                    y = torch.relu(torch.conv2d(x0, w1))
                    z = torch.conv2d(y, w2, None, [2, 2])
                    return torch.flatten(torch.adaptive_avg_pool2d(z, [1, 1]), 1)
                """);
    }

    /** Returns a 4-D feature map instead of an embedding. */
    public static Path featureMapEncoder(Path target) throws IOException {
        return withForward(target, """
                    return torch.avg_pool2d(x, [2, 2])
                """);
    }

}
