package io.decree.cli;

import io.decree.BadInputException;
import io.decree.encoder.InputSpec;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** The encoder's input spec on the command line; each flag given wins over the model's sidecar JSON. */
final class SpecOptions {
    @Option(names = "--input-size", paramLabel = "H,W", description = "Input height and width (e.g. 224,224).")
    String inputSize;

    @Option(names = "--value-range", paramLabel = "0-1|0-255", description = "Pixel range the model expects.")
    String valueRange;

    @Option(names = "--mean", paramLabel = "r,g,b", description = "Per-channel mean to subtract (in the value range).")
    String mean;

    @Option(names = "--std", paramLabel = "r,g,b", description = "Per-channel std to divide by.")
    String std;

    InputSpec resolve(Path model) {
        InputSpec sidecar = InputSpec.sidecarOf(model);
        int[] size = inputSize == null ? null : Arrays.stream(numbers(inputSize, "--input-size", 2)).mapToInt(d -> (int) d).toArray();
        double[] range = valueRange == null ? null : range(valueRange);
        double[] m = mean == null ? null : numbers(mean, "--mean", 3);
        double[] s = std == null ? null : numbers(std, "--std", 3);
        if (sidecar == null) {
            if (size == null) {
                throw new BadInputException("no input spec for " + model + ": put " + InputSpec.sidecarPath(model).getFileName()
                        + " beside it or pass --input-size");
            }
            return new InputSpec(size, range, m, s);
        }
        return sidecar.override(size, range, m, s);
    }

    private static double[] range(String v) {
        return switch (v) {
            case "0-1" -> new double[] {0, 1};
            case "0-255" -> new double[] {0, 255};
            default -> throw new BadInputException("--value-range must be 0-1 or 0-255, got " + v);
        };
    }

    private static double[] numbers(String v, String flag, int count) {
        String[] parts = v.split("[,x]");
        if (parts.length != count) {
            throw new BadInputException(flag + " needs " + count + " comma-separated numbers, got '" + v + "'");
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(flag + " needs numbers, got '" + v + "'");
            }
        }
        return out;
    }
}
