package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import io.decree.scan.Evidence;
import io.decree.trigger.Acceptance;
import io.decree.trigger.InversionResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code decree replay}: a scan's trigger, read back from its evidence folder, stamped on other images. */
class ReplayCommandTest {
    private static final int SIDE = 32;

    @TempDir
    Path tmp;

    /** An evidence folder as a scan writes it, holding a white 4x4 square at (top, left). */
    private Path evidence(String name, int top, int left) {
        float[] mask = new float[SIDE * SIDE];
        for (int y = top; y < top + 4; y++) {
            for (int x = left; x < left + 4; x++) {
                mask[y * SIDE + x] = 1f;
            }
        }
        float[] pattern = new float[3 * SIDE * SIDE];
        Arrays.fill(pattern, 1f);
        Path dir = tmp.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        InversionResult found = new InversionResult(mask, pattern, SIDE, SIDE, true, 16.0 / (SIDE * SIDE), 0.995, Double.NaN, 0, 100, false, List.of(), List.of(),
                new Acceptance(16.0 / (SIDE * SIDE), 1.0, Double.NaN, 0), List.of());
        Evidence.write(found, ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 2, 4, 0), dir);
        return dir;
    }

    @Test
    void plantedTriggerFromAScanFolderCollapsesOtherImagesAndAPatchElsewhereDoesNot() throws IOException {
        Path model = TorchScriptFixtures.plantedBackdoorEncoder(tmp.resolve("planted.pt"));
        String faces = SharedData.images("faces").toString();
        String photos = SharedData.images("photos").toString();

        CliRun hit = CliRun.decree("replay", model.toString(), "--scan", evidence("planted", 0, 0).toString(), "--input-size", "32,32",
                "--images", faces, photos, "--json");
        assertEquals(0, hit.code(), hit.err());
        JsonNode doc = new ObjectMapper().readTree(hit.out());
        assertEquals(16.0 / 1024, doc.get("pl1").asDouble(), 1e-6, "the mask read back from mask.png");
        assertEquals(2, doc.get("replays").size());
        assertEquals(54, doc.at("/replays/0/count").asInt());
        for (JsonNode r : doc.get("replays")) {
            assertTrue(r.get("similarity").asDouble() > 0.99, r.toString());
            assertTrue(r.get("cleanSimilarity").asDouble() < 0.2, r.toString());
        }

        CliRun miss = CliRun.decree("replay", model.toString(), "--scan", evidence("elsewhere", 20, 20).toString(), "--input-size",
                "32,32", "--images", faces);
        assertEquals(0, miss.code(), miss.err());
        String row = miss.out().lines().filter(l -> l.startsWith(faces)).findFirst().orElseThrow();
        double similarity = Double.parseDouble(row.trim().split("\\s+")[2]);
        assertTrue(similarity < 0.5, miss.out());
    }

    @Test
    void folderWithoutATriggerIsAClearErrorWithExitCode2() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        Path empty = Files.createDirectories(tmp.resolve("no-trigger"));
        Files.writeString(empty.resolve("report.json"), "{}");
        CliRun r = CliRun.decree("replay", model.toString(), "--scan", empty.toString(), "--input-size", "32,32", "--images",
                SharedData.images("photos").toString());
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("holds no mask.png and pattern.png"), r.err());
    }

    @Test
    void triggerOfAnotherInputSizeIsRefusedWithExitCode2() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        CliRun r = CliRun.decree("replay", model.toString(), "--scan", evidence("small", 0, 0).toString(), "--input-size", "64,64",
                "--images", SharedData.images("photos").toString());
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("is 32x32 but smooth.pt takes 64x64 images"), r.err());
    }
}
