package io.decree.arch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * ResNet-18, CIFAR variant (3x3 stem, no max-pool; He et al. 2016), as a TorchScript archive with seeded random
 * weights, written without PyTorch: the architecture of {@code ../shared/architectures/resnet18_w16_32.pt} for a
 * machine that has no {@code ../shared} (the demo). Stages of 2 basic blocks at widths w, 2w, 4w, 8w, strides 1, 2,
 * 2, 2, 1x1 projection shortcuts where the shape changes, global average pooling; the output is the 8w-d pooled
 * feature. Input [N,3,32,32] in [0,1]; the CIFAR mean/std normalisation is inside (buffers {@code mean}, {@code std}).
 * BatchNorm is written as {@code torch.batch_norm} on the module's own buffers, following {@code self.training}, so
 * that SimCLR pre-training (train mode) updates the running statistics as torch.nn.BatchNorm2d does.
 * Conv weights: Kaiming normal (fan-out, ReLU), as torchvision initialises ResNets; BatchNorm weight 1, bias 0.
 */
public final class ResNetCifar {
    private static final String CLASS = "ResNet18Cifar";
    private static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};
    private static final float[] CIFAR_STD = {0.2470f, 0.2435f, 0.2616f};

    private ResNetCifar() {
    }

    /** Writes {@code PREFIX.pt} and its input-spec sidecar {@code PREFIX.json}; returns the model's path. */
    public static Path write(Path prefix, int width, long seed) throws IOException {
        Path model = prefix.resolveSibling(prefix.getFileName() + ".pt");
        Writer w = new Writer(new Random(seed));
        w.body.add("    x0 = torch.div(torch.sub(x, s.mean), s.std)");
        w.buffer("mean", CIFAR_MEAN, 1, 3, 1, 1);
        w.buffer("std", CIFAR_STD, 1, 3, 1, 1);
        String h = w.convBnRelu("x0", "stem", 3, width, 3, 1, true);
        int in = width;
        int[] widths = {width, 2 * width, 4 * width, 8 * width};
        for (int stage = 0; stage < 4; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                h = w.basicBlock(h, "l" + stage + "b" + block, in, widths[stage], stride);
                in = widths[stage];
            }
        }
        w.body.add("    return torch.flatten(torch.adaptive_avg_pool2d(" + h + ", [1, 1]), 1)");
        w.archive(model).write(model, prefix.getFileName().toString().replaceAll("[^A-Za-z0-9_]", "_"));
        Files.writeString(prefix.resolveSibling(prefix.getFileName() + ".json"),
                "{\"inputSize\":[32,32],\"valueRange\":[0,1],\"mean\":null,\"std\":null}");
        return model;
    }

    /** Collects the attributes and the forward's lines as the layers are added. */
    private static final class Writer {
        private final Random rnd;
        private final List<String> params = new ArrayList<>();
        private final List<String> buffers = new ArrayList<>();
        private final List<TorchScriptArchive.Tensor> tensors = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final List<String> body = new ArrayList<>();
        private int tmp;

        Writer(Random rnd) {
            this.rnd = rnd;
        }

        void param(String name, float[] data, long... shape) {
            params.add(name);
            names.add(name);
            tensors.add(new TorchScriptArchive.Tensor(data, shape, true));
        }

        void buffer(String name, float[] data, long... shape) {
            buffers.add(name);
            names.add(name);
            tensors.add(new TorchScriptArchive.Tensor(data, shape, false));
        }

        String fresh() {
            return "h" + (tmp++);
        }

        /** conv (no bias) + BatchNorm (+ ReLU); returns the variable holding the result. */
        String convBnRelu(String x, String name, int in, int out, int k, int stride, boolean relu) {
            float[] wts = new float[out * in * k * k];
            double std = Math.sqrt(2.0 / (out * k * k));
            for (int i = 0; i < wts.length; i++) {
                wts[i] = (float) (rnd.nextGaussian() * std);
            }
            param(name + "_w", wts, out, in, k, k);
            float[] ones = new float[out];
            java.util.Arrays.fill(ones, 1f);
            param(name + "_g", ones.clone(), out);
            param(name + "_b", new float[out], out);
            buffer(name + "_rm", new float[out], out);
            buffer(name + "_rv", ones.clone(), out);
            int pad = k / 2;
            String conv = String.format(Locale.ROOT, "torch.conv2d(%s, s.%s_w, None, [%d, %d], [%d, %d], [1, 1], 1)",
                    x, name, stride, stride, pad, pad);
            String bn = String.format(Locale.ROOT,
                    "torch.batch_norm(%s, s.%s_g, s.%s_b, s.%s_rm, s.%s_rv, s.training, 0.10000000000000001, 1.0000000000000001e-05, False)",
                    conv, name, name, name, name);
            String v = fresh();
            body.add("    " + v + " = " + (relu ? "torch.relu(" + bn + ")" : bn));
            return v;
        }

        String basicBlock(String x, String name, int in, int out, int stride) {
            String y = convBnRelu(x, name + "c1", in, out, 3, stride, true);
            String y2 = convBnRelu(y, name + "c2", out, out, 3, 1, false);
            String shortcut = stride != 1 || in != out ? convBnRelu(x, name + "sc", in, out, 1, stride, false) : x;
            String v = fresh();
            body.add("    " + v + " = torch.relu(torch.add(" + y2 + ", " + shortcut + "))");
            return v;
        }

        TorchScriptArchive archive(Path model) {
            StringBuilder code = new StringBuilder("class " + CLASS + "(Module):\n");
            code.append("  __parameters__ = [").append(quoted(params)).append("]\n");
            code.append("  __buffers__ = [").append(quoted(buffers)).append("]\n");
            for (String n : names) {
                code.append("  ").append(n).append(" : Tensor\n");
            }
            code.append("  training : bool\n");
            code.append("  def forward(s: __torch__.").append(CLASS).append(",\n    x: Tensor) -> Tensor:\n");
            body.forEach(l -> code.append(l).append('\n'));
            TorchScriptArchive a = new TorchScriptArchive(CLASS, code.toString());
            for (int i = 0; i < names.size(); i++) {
                a.with(names.get(i), tensors.get(i));
            }
            // Written in eval mode, as torch.jit.save of a deployed model is; training code switches it on.
            return a.with("training", false);
        }

        private static String quoted(List<String> xs) {
            StringBuilder sb = new StringBuilder();
            xs.forEach(x -> sb.append('"').append(x).append("\", "));
            return sb.toString();
        }
    }
}
