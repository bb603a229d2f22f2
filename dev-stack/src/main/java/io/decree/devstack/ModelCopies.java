package io.decree.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Byte-distinct copies of one TorchScript model: a new SHA-256 (a new scan), the same network. */
public final class ModelCopies {
    private ModelCopies() {
    }

    /**
     * Copies {@code model} to {@code target} with one extra archive entry naming {@code nonce} (libtorch ignores
     * it), and {@code MODEL.json} beside it to {@code TARGET.json}.
     */
    public static Path distinct(Path model, Path target, String nonce) throws IOException {
        try (ZipFile in = new ZipFile(model.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            String top = null;
            for (ZipEntry e : Collections.list(in.entries())) {
                top = top == null ? e.getName().substring(0, e.getName().indexOf('/')) : top;
                out.putNextEntry(new ZipEntry(e.getName()));
                try (var s = in.getInputStream(e)) {
                    s.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(top + "/extra/nonce"));
            out.write(nonce.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Files.copy(sidecar(model), sidecar(target), StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private static Path sidecar(Path model) {
        return model.resolveSibling(model.getFileName().toString().replaceFirst("\\.pt$", "") + ".json");
    }
}
