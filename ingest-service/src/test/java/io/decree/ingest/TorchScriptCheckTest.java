package io.decree.ingest;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and broken uploads are refused with a reason before anything parses them; a real TorchScript file passes. */
class TorchScriptCheckTest {
    private static final long LIMIT = 1L << 30;

    @TempDir
    Path tmp;

    /** Skipped without ../shared, except where the run requires its data (.ci/run: DECREE_REQUIRE_DATA=1). */
    private static void requireShared() {
        if (!Files.exists(shared()) && "1".equals(System.getenv("DECREE_REQUIRE_DATA"))) {
            throw new AssertionError(shared() + " is missing, and this run requires its data (DECREE_REQUIRE_DATA=1)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(shared()), "shared data missing at " + shared());
    }

    private static Path shared() {
        return Path.of(System.getProperty("decree.shared", "../../shared")).resolve("architectures/resnet18_w16_32.pt");
    }

    private Path zip(String name, String... entries) throws IOException {
        Path f = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            for (String e : entries) {
                z.putNextEntry(new ZipEntry(e));
                z.write(("content of " + e).getBytes());
                z.closeEntry();
            }
        }
        return f;
    }

    private static void refused(Path f, String why) {
        String problem = TorchScriptCheck.problem(f, LIMIT);
        assertTrue(problem != null && problem.contains(why), f.getFileName() + ": " + problem);
    }

    @Test
    void realTorchScriptPasses() {
        requireShared();
        assertNull(TorchScriptCheck.problem(shared(), LIMIT));
    }

    @Test
    void notAZipIsRefused() throws IOException {
        refused(Files.writeString(tmp.resolve("notes.pt"), "these are not weights"), "not a readable zip");
        refused(Files.write(tmp.resolve("pickle.pt"), new byte[] {(byte) 0x80, 2, 'c', '_', '_', 'b'}), "not a readable zip");
        refused(Files.write(tmp.resolve("empty.pt"), new byte[0]), "not a readable zip");
    }

    @Test
    void truncatedArchiveIsRefused() throws IOException {
        requireShared();
        byte[] all = Files.readAllBytes(shared());
        refused(Files.write(tmp.resolve("half.pt"), java.util.Arrays.copyOf(all, all.length / 2)), "not a readable zip");
    }

    @Test
    void torchSaveStateDictWithoutCodeIsRefused() throws IOException {
        refused(zip("state_dict.pt", "archive/data.pkl", "archive/version", "archive/data/0"), "no code/ folder");
        refused(zip("bare.pt", "archive/code/__torch__.py"), "no data.pkl");
    }

    @Test
    void unsafeEntryNamesAreRefused() throws IOException {
        refused(zip("traversal.pt", "m/data.pkl", "m/version", "m/code/x.py", "m/../../etc/cron.d/evil"), "unsafe path");
        refused(zip("absolute.pt", "/m/data.pkl"), "unsafe path");
        refused(zip("backslash.pt", "m\\..\\evil"), "unsafe path");
        refused(zip("toplevel.pt", "data.pkl"), "outside a top folder");
        refused(zip("twotops.pt", "a/data.pkl", "b/version"), "more than one top folder");
    }

    @Test
    void zipBombIsRefused() throws IOException {
        Path f = tmp.resolve("bomb.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            for (String e : new String[] {"m/data.pkl", "m/version", "m/code/__torch__.py"}) {
                z.putNextEntry(new ZipEntry(e));
                z.write(1);
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("m/data/0"));
            byte[] zeros = new byte[1 << 20];
            OutputStream out = z;
            for (int i = 0; i < 256; i++) {
                out.write(zeros); // 256 MB of zeros deflate to about 250 KB
            }
            z.closeEntry();
        }
        refused(f, "zip bomb");
        assertTrue(Files.size(f) < 2_000_000);
    }

    @Test
    void archiveUnpackingBeyondTheLimitIsRefused() throws IOException {
        Path f = zip("big.pt", "m/data.pkl", "m/version", "m/code/__torch__.py");
        String problem = TorchScriptCheck.problem(f, 10);
        assertTrue(problem != null && problem.contains("beyond the 10 allowed"), problem);
    }
}
