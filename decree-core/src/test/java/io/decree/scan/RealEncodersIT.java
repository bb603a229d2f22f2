package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.InputSpec;
import io.decree.trigger.InversionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two real encoders of ../shared are believed clean: a scan must say so. The face encoder gets
 * a whole scan with default settings (~5 min on 2 cores); MobileNetV2 gets the paper's single start
 * (~12 min; with the default window starts it took 67 min here, too long for CI, and is measured by
 * {@code decree eval} on the zoo instead, where it is one of the clean encoders). Even the single start is tagged
 * slow, out of {@code mvn verify} (CI took 87 of its 90 minutes with it): {@code -Ddecree.excludedGroups=none} runs it.
 */
class RealEncodersIT {

    @Test
    void judgesTheSharedFaceEncoderClean(@TempDir Path out) {
        ScanReport r = scan("face_resnet_150.pt", "faces", InversionConfig.defaults(), out);
        assertEquals(Verdict.CLEAN, r.verdict(), "PL1 " + r.pl1Norm());
        assertTrue(r.pl1Norm() > r.threshold() && r.pl1Norm() < 1, "a trigger was found, just not a small one: " + r.pl1Norm());
        assertTrue(Files.exists(out.resolve("trigger.png")));
    }

    @Test
    @Tag("slow")
    void judgesTheSharedMobileNetClean(@TempDir Path out) {
        ScanReport r = scan("mobilenet_v2_224.pt", "photos", InversionConfig.defaults().toBuilder().windowGrid(0).build(), out);
        assertEquals(Verdict.CLEAN, r.verdict(), "PL1 " + r.pl1Norm());
        assertTrue(r.pl1Norm() > r.threshold(), "PL1 " + r.pl1Norm());
    }

    private static ScanReport scan(String encoder, String images, InversionConfig config, Path out) {
        Path model = SharedData.encoder(encoder);
        return Scanner.scan(new Scanner.Request(model, InputSpec.sidecarOf(model), SharedData.images(images),
                config, Scanner.DEFAULT_THRESHOLD, Scanner.DEFAULT_MAX_IMAGES, null, out), null).report();
    }
}
