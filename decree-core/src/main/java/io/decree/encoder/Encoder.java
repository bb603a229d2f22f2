package io.decree.encoder;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TorchScript image encoder loaded through DJL's PyTorch engine, seen as a function from images
 * in [0,1] (shape [N,3,H,W]) to embeddings [N,D].
 *
 * <p>Triggers are stamped in [0,1] pixel space; this class maps that space to the model's own
 * (value range, then mean/std) so that a stamp means the same thing on every encoder. The mapping
 * constants are NDArrays that live as long as the encoder: DJL turns a plain Java number into a
 * temporary array, which inside a gradient collector can be freed under the tape after a GC.
 */
public final class Encoder implements AutoCloseable {

    /**
     * How the input batch lies in memory. Channels-last (NHWC) spares libtorch's CPU convolutions (oneDNN) reordering
     * every activation: per step 1.4-2.7x faster on the shared 32-px ResNet, 1.6-1.7x at 224 px, 1.0-1.4x on the face
     * encoder and MobileNetV2, never slower (two runs, bench/channels-last.sh, docs/detector.md); whole contrasted
     * searches 1.2-1.6x. Summed in another order, so only float rounding differs, but a search's path can turn on it: the
     * zoo rescanned channels-last (docs/eval/layout.md) caught every trojan and flagged the face control, which other
     * seeds flag contiguous too. Contiguous stays the default until the integration tests have run channels-last.
     */
    public enum Layout {
        CONTIGUOUS, CHANNELS_LAST;

        /** The environment variable that chooses a scan's layout ({@code channels-last} or {@code contiguous}). */
        public static final String ENV = "DECREE_LAYOUT";

        /** The name {@value #ENV} takes and a report records. */
        public String label() {
            return this == CHANNELS_LAST ? "channels-last" : "contiguous";
        }

        /**
         * A load's layout: training keeps the layout the zoo was built with (a rebuild reproduces its encoders byte for
         * byte), a GPU stays contiguous (not measured there), a CPU scan takes {@code chosen} ({@value #ENV}; unset:
         * contiguous).
         */
        static Layout forLoad(String chosen, boolean trainable, boolean gpu) {
            if (trainable || gpu || chosen == null || chosen.isBlank()) {
                return CONTIGUOUS;
            }
            return switch (chosen.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "channels-last", "channels_last" -> CHANNELS_LAST;
                case "contiguous" -> CONTIGUOUS;
                default -> throw new BadInputException(ENV + " must be channels-last or contiguous, not '" + chosen + "'");
            };
        }
    }

    private final Path file;
    private final InputSpec spec;
    private final ZooModel<NDList, NDList> model;
    private final NDManager constants;
    private final ParameterStore parameterStore;
    private final NDArray scale;
    private final NDArray offset;
    private int embeddingSize = -1;
    private boolean modeSet;
    private Layout layout;

    private Encoder(Path file, InputSpec spec, ZooModel<NDList, NDList> model) {
        this.file = file;
        this.spec = spec;
        this.model = model;
        this.constants = model.getNDManager().newSubManager();
        this.parameterStore = new ParameterStore(constants, false);
        // x_model = x01 * scale + offset folds value range and mean/std into one affine map per channel.
        double lo = spec.valueRange()[0];
        double span = spec.valueRange()[1] - lo;
        float[] s = new float[3];
        float[] o = new float[3];
        for (int c = 0; c < 3; c++) {
            double mean = spec.mean() == null ? 0 : spec.mean()[c];
            double std = spec.std() == null ? 1 : spec.std()[c];
            s[c] = (float) (span / std);
            o[c] = (float) ((lo - mean) / std);
        }
        this.scale = constants.create(s, new Shape(1, 3, 1, 1));
        this.offset = constants.create(o, new Shape(1, 3, 1, 1));
    }

    /** Loads {@code file} on {@code device} (null: the engine's default) with frozen weights, for scanning. */
    public static Encoder load(Path file, InputSpec spec, Device device) {
        return load(file, spec, device, false);
    }

    /**
     * Loads {@code file}; with {@code trainable} its weights keep requiring gradients (fine-tuning
     * in the attack lab). Bad files give a {@link BadInputException}.
     */
    public static Encoder load(Path file, InputSpec spec, Device device, boolean trainable) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("model file not found: " + file);
        }
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(file.toAbsolutePath())
                .optEngine("PyTorch")
                .optDevice(device)
                // Without trainParam libtorch loads inference tensors, and backward to the input fails.
                .optOption("trainParam", "true")
                .build();
        ZooModel<NDList, NDList> model;
        try {
            model = criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | EngineException e) {
            throw new BadInputException(file + " is not a loadable TorchScript model: " + firstLine(e), e);
        } catch (RuntimeException e) {
            throw new BadInputException(file + " could not be loaded by libtorch: " + firstLine(e), e);
        }
        Encoder encoder = new Encoder(file, spec, model);
        try {
            encoder.layout = Layout.forLoad(System.getenv(Layout.ENV), trainable, encoder.device().isGpu());
        } catch (BadInputException e) {
            encoder.close(); // a bad DECREE_LAYOUT must not leave the loaded model's native memory behind
            throw e;
        }
        if (!trainable) {
            // Only the trigger is optimised; frozen weights also spare the backward pass their gradients.
            model.getBlock().freezeParameters(true);
        }
        return encoder;
    }

    public Path file() {
        return file;
    }

    public InputSpec spec() {
        return spec;
    }

    public Device device() {
        return model.getNDManager().getDevice();
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    /** The input's memory layout: the scan's choice, or contiguous where {@link #probe()} found the model needs it. */
    public Layout layout() {
        return layout;
    }

    /** Lays the input out as {@code chosen} from now on (benchmarks compare the two). */
    public Encoder layout(Layout chosen) {
        this.layout = chosen;
        return this;
    }

    /** Embedding dimension, known after {@link #probe()}. */
    public int embeddingSize() {
        return embeddingSize;
    }

    /**
     * Runs the encoder once on two blank images and checks what comes back: one 2-D float
     * embedding per image. Anything else is a clear error naming the file.
     */
    public void probe() {
        try (NDManager m = constants.newSubManager()) {
            NDArray x = m.full(new Shape(2, 3, spec.height(), spec.width()), 0.5f);
            NDList out;
            try {
                out = rawForward(new NDList(laidOut(x.mul(scale).add(offset))));
            } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
                if (layout == Layout.CHANNELS_LAST) {
                    // A model that views its input as contiguous (x.view(n, -1)) rejects channels-last strides.
                    layout = Layout.CONTIGUOUS;
                    probe();
                    return;
                }
                throw new BadInputException(file + " failed on an input of shape [N,3," + spec.height() + "," + spec.width()
                        + "] (check --input-size and the input spec): " + firstLine(e), e);
            }
            if (out.isEmpty()) {
                throw new BadInputException(file + " returned no output; an encoder must return an [N,D] embedding");
            }
            NDArray y = out.head();
            Shape shape = y.getShape();
            if (shape.dimension() != 2 || shape.get(0) != 2) {
                throw new BadInputException(file + " returned a tensor of shape " + shape
                        + " for 2 images; an encoder must return a 2-D embedding [N,D]");
            }
            if (y.getDataType() != DataType.FLOAT32 && y.getDataType() != DataType.FLOAT64
                    && y.getDataType() != DataType.FLOAT16) {
                throw new BadInputException(file + " returned " + y.getDataType() + "; an encoder must return float embeddings");
            }
            float[] values = y.toType(DataType.FLOAT32, false).toFloatArray();
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new BadInputException(file + " returned non-finite values (NaN/Inf) on a plain grey image");
                }
            }
            embeddingSize = (int) shape.get(1);
        }
    }

    /** Embeds images in [0,1] pixel space, shape [N,3,H,W]; differentiable with respect to the input. */
    public NDArray embed(NDArray pixels01) {
        NDArray input = laidOut(pixels01.mul(scale).add(offset));
        NDArray y = rawForward(new NDList(input)).head();
        return y.getDataType() == DataType.FLOAT32 ? y : y.toType(DataType.FLOAT32, false);
    }

    /**
     * The batch in this encoder's layout. DJL has no {@code contiguous(memory_format)}: permuting to NHWC, copying (a
     * reshape of a non-contiguous view copies) and permuting back gives an NCHW view over NHWC memory, which is what
     * channels-last is. Gradients flow through all three.
     */
    private NDArray laidOut(NDArray x) {
        Shape s = x.getShape();
        if (layout != Layout.CHANNELS_LAST || s.dimension() != 4) {
            return x;
        }
        return x.transpose(0, 2, 3, 1).reshape(-1).reshape(s.get(0), s.get(2), s.get(3), s.get(1)).transpose(0, 3, 1, 2);
    }

    private NDList rawForward(NDList input) {
        Block block = model.getBlock();
        if (block instanceof PtSymbolBlock ts) {
            // DJL runs a TorchScript forward with training=false under no-grad, which would cut the
            // gradient to the trigger. So the module is put in eval mode (BatchNorm/Dropout as
            // deployed) once, and its forward is run with autograd on.
            if (!modeSet) {
                JniUtils.enableInferenceMode(ts);
                modeSet = true;
            }
            return IValueUtils.forward(ts, input, true);
        }
        return block.forward(parameterStore, input, false);
    }

    /**
     * Training mode: BatchNorm normalises by the batch and updates its running statistics (SimCLR
     * pre-training from random weights needs this). Off again, the module is as deployed.
     */
    public void trainMode(boolean on) {
        PtSymbolBlock ts = (PtSymbolBlock) model.getBlock();
        if (on) {
            JniUtils.enableTrainingMode(ts);
        } else {
            JniUtils.enableInferenceMode(ts);
        }
        modeSet = true;
    }

    /** The module's trainable parameters (BatchNorm running statistics are buffers, not included). */
    public NDList parameters(NDManager manager) {
        return JniUtils.moduleGetParams((PtSymbolBlock) model.getBlock(), (ai.djl.pytorch.engine.PtNDManager) manager);
    }

    /** Writes the module, with its current weights, as a TorchScript archive that DJL and PyTorch load. */
    public void save(Path target) throws IOException {
        // Written in eval mode, as a user's torch.jit.load should see a deployed encoder.
        trainMode(false);
        try (var out = Files.newOutputStream(target)) {
            JniUtils.writeModule((PtSymbolBlock) model.getBlock(), out, false);
        }
    }

    @Override
    public void close() {
        constants.close();
        model.close();
    }

    static String firstLine(Throwable e) {
        Throwable t = e;
        String msg = null;
        while (t != null && msg == null) {
            msg = t.getMessage();
            t = t.getCause();
        }
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        // libtorch prefixes the real cause with a TorchScript traceback; its "...Error: ..." line says what happened.
        String line = msg.strip().lines().filter(l -> l.matches("^\\w*(Error|Exception): .*")).reduce((a, b) -> b)
                .orElse(msg.strip().lines().findFirst().orElse(msg));
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
