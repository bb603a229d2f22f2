package io.decree.ingest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Looks at an upload before anything else does: a TorchScript file is a zip archive with one top folder holding
 * {@code data.pkl}, {@code version} and {@code code/}. Rejects what is not, and archives that would unpack to far more
 * than they weigh (zip bombs) or name paths outside their folder.
 */
final class TorchScriptCheck {
    /** Deflated tensors compress little; far beyond this ratio the archive is hostile. */
    static final long MAX_RATIO = 100;

    private TorchScriptCheck() {
    }

    /** Returns null when the file looks like TorchScript, else the reason it does not. */
    static String problem(Path file, long maxUnpackedBytes) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean dataPkl = false;
            boolean version = false;
            boolean code = false;
            long unpacked = 0;
            long packed = 0;
            String top = null;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (name.startsWith("/") || name.contains("..") || name.contains("\\")) {
                    return "archive entry with an unsafe path: " + name;
                }
                int slash = name.indexOf('/');
                if (slash <= 0) {
                    return "archive entry outside a top folder: " + name;
                }
                String folder = name.substring(0, slash);
                if (top == null) {
                    top = folder;
                } else if (!top.equals(folder)) {
                    return "archive has more than one top folder (" + top + ", " + folder + ")";
                }
                String rest = name.substring(slash + 1);
                dataPkl |= rest.equals("data.pkl");
                version |= rest.equals("version") || rest.equals(".data/version");
                code |= rest.startsWith("code/");
                if (e.getSize() > 0) {
                    unpacked += e.getSize();
                }
                if (e.getCompressedSize() > 0) {
                    packed += e.getCompressedSize();
                }
            }
            if (!dataPkl || !version) {
                return "not a TorchScript archive (no data.pkl or version entry): a torch.save() state dict or "
                        + "pickle is not accepted; export with torch.jit.trace/script and torch.jit.save";
            }
            if (!code) {
                return "not a TorchScript archive (no code/ folder): export with torch.jit.save";
            }
            if (unpacked > maxUnpackedBytes) {
                // Not "over the limit": that is the upload's own size (413); this is what the bytes would become (422).
                return "archive unpacks to " + unpacked + " bytes, beyond the " + maxUnpackedBytes + " allowed (a zip bomb?)";
            }
            if (packed > 0 && unpacked / packed > MAX_RATIO) {
                return "archive compression ratio " + unpacked / packed + ":1 looks like a zip bomb";
            }
            return null;
        } catch (IOException e) {
            return "not a TorchScript archive (not a readable zip file: " + e.getMessage() + ")";
        }
    }
}
