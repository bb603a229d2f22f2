package io.decree.encoder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an encoder expects as input: image size, the pixel value range it was trained on, and the
 * per-channel mean/std it wants subtracted (null when the model normalises itself).
 *
 * <p>Its JSON form is the sidecar file written next to a model ({@code model.pt -> model.json}):
 * {@code {"inputSize":[H,W], "valueRange":[0,1], "mean":[r,g,b]|null, "std":[r,g,b]|null}}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InputSpec(int[] inputSize, double[] valueRange, double[] mean, double[] std) {

    /** The largest side accepted: a 2048x2048 batch of 32 is already 1.6 GB of activations at the input. */
    public static final int MAX_SIDE = 2048;

    private static final ObjectMapper JSON = new ObjectMapper();

    public InputSpec {
        if (inputSize == null || inputSize.length != 2) {
            throw new BadInputException("inputSize must be [H,W], got " + Arrays.toString(inputSize));
        }
        for (int side : inputSize) {
            if (side < 8 || side > MAX_SIDE) {
                throw new BadInputException("inputSize " + Arrays.toString(inputSize)
                        + " is out of range: each side must be between 8 and " + MAX_SIDE);
            }
        }
        if (valueRange == null) {
            valueRange = new double[] {0, 1};
        }
        if (valueRange.length != 2 || !(valueRange[1] > valueRange[0])) {
            throw new BadInputException("valueRange must be [low,high] with low < high, got " + Arrays.toString(valueRange));
        }
        if ((mean == null) != (std == null)) {
            throw new BadInputException("mean and std must both be given or both be null");
        }
        if (mean != null && (mean.length != 3 || std.length != 3)) {
            throw new BadInputException("mean and std need 3 values (r,g,b)");
        }
        if (std != null && Arrays.stream(std).anyMatch(s -> !(s > 0))) {
            throw new BadInputException("std values must be positive, got " + Arrays.toString(std));
        }
    }

    public int height() {
        return inputSize[0];
    }

    public int width() {
        return inputSize[1];
    }

    /** Reads the sidecar JSON of {@code model}, or returns null when there is none. */
    public static InputSpec sidecarOf(Path model) {
        Path sidecar = sidecarPath(model);
        if (!Files.isRegularFile(sidecar)) {
            return null;
        }
        try {
            return parse(JSON.readTree(sidecar.toFile()));
        } catch (IOException e) {
            throw new BadInputException("cannot read input spec " + sidecar + ": " + e.getMessage(), e);
        } catch (BadInputException e) {
            throw new BadInputException("input spec " + sidecar + ": " + e.getMessage(), e);
        }
    }

    public static Path sidecarPath(Path model) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return model.resolveSibling(stem + ".json");
    }

    public static InputSpec parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new BadInputException("an input spec must be a JSON object");
        }
        return new InputSpec(ints(node.get("inputSize")), doubles(node.get("valueRange")),
                doubles(node.get("mean")), doubles(node.get("std")));
    }

    public static InputSpec parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new BadInputException("input spec is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Flags win over the sidecar: every non-null argument replaces the corresponding field. */
    public InputSpec override(int[] size, double[] range, double[] newMean, double[] newStd) {
        return new InputSpec(size != null ? size : inputSize, range != null ? range : valueRange,
                newMean != null ? newMean : mean, newStd != null ? newStd : std);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(JsonNode n) {
        double[] d = doubles(n);
        return d == null ? null : Arrays.stream(d).mapToInt(v -> (int) v).toArray();
    }

    private static double[] doubles(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new BadInputException("expected a JSON array, got " + n);
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber()) {
                throw new BadInputException("expected numbers, got " + n);
            }
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec s && Arrays.equals(inputSize, s.inputSize) && Arrays.equals(valueRange, s.valueRange)
                && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputSize) * 31 + Arrays.hashCode(valueRange);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
