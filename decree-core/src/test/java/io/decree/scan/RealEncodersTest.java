package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.InputSpec;
import io.decree.trigger.InversionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two real encoders of ../shared are believed clean: a default scan must say so. These are
 * whole scans with default settings (the MobileNetV2 one takes ~15 min on 2 cores).
 */
class RealEncodersTest {

    @Test
    void judgesTheSharedFaceEncoderClean(@TempDir Path out) {
        ScanReport r = scan("face_resnet_150.pt", "faces", out);
        assertEquals(Verdict.CLEAN, r.verdict(), "PL1 " + r.pl1Norm());
        assertTrue(r.pl1Norm() > r.threshold() && r.pl1Norm() < 1, "a trigger was found, just not a small one: " + r.pl1Norm());
        assertTrue(Files.exists(out.resolve("trigger.png")));
    }

    @Test
    void judgesTheSharedMobileNetClean(@TempDir Path out) {
        ScanReport r = scan("mobilenet_v2_224.pt", "photos", out);
        assertEquals(Verdict.CLEAN, r.verdict(), "PL1 " + r.pl1Norm());
        assertTrue(r.pl1Norm() > r.threshold(), "PL1 " + r.pl1Norm());
    }

    private static ScanReport scan(String encoder, String images, Path out) {
        Path model = SharedData.encoder(encoder);
        return Scanner.scan(new Scanner.Request(model, InputSpec.sidecarOf(model), SharedData.images(images),
                InversionConfig.defaults(), Scanner.DEFAULT_THRESHOLD, Scanner.DEFAULT_MAX_IMAGES, null, out), null).report();
    }
}
