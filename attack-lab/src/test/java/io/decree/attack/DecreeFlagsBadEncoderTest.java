package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.InputSpec;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import io.decree.scan.Verdict;
import io.decree.trigger.InversionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end at the paper's CIFAR resolution: the shared 32x32 ResNet, BadEncoder-trojaned with a
 * 5x5 white patch, is flagged; the same network and its clean-fine-tuned control are not.
 */
class DecreeFlagsBadEncoderTest {

    private static final PatchTrigger TRIGGER = new PatchTrigger(5, PatchTrigger.Position.BOTTOM_RIGHT, PatchTrigger.Kind.WHITE, 1);

    @Test
    void flagsTrojanedEncoderFromBadEncoderAndNotItsCleanControl(@TempDir Path tmp) throws IOException {
        Path base = Files.copy(SharedData.architecture("resnet18_w16_32.pt"), tmp.resolve("base.pt"));
        Files.copy(SharedData.architecture("resnet18_w16_32.json"), tmp.resolve("base.json"));
        Path photos = SharedData.images("photos");
        AttackLab.Report bad = AttackLab.run(base, photos, TRIGGER, new BadEncoder.Config(300, 16, 1e-3, 1, 1, true, 1),
                tmp.resolve("bad"), null);
        AttackLab.Report ctl = AttackLab.run(base, photos, TRIGGER, new BadEncoder.Config(300, 16, 1e-3, 1, 1, false, 1),
                tmp.resolve("ctl"), null);
        assertTrue(bad.attackSuccess() >= 0.9, "the backdoor works: " + bad.attackSuccess());

        ScanReport trojaned = scan(tmp.resolve("bad.pt"), photos);
        ScanReport control = scan(tmp.resolve("ctl.pt"), photos);
        ScanReport original = scan(base, photos);

        String pl1s = "trojaned " + trojaned.pl1Norm() + ", control " + control.pl1Norm() + ", original " + original.pl1Norm();
        assertEquals(Verdict.TROJANED, trojaned.verdict(), pl1s);
        assertEquals(Verdict.CLEAN, control.verdict(), pl1s);
        assertEquals(Verdict.CLEAN, original.verdict(), pl1s);
        assertTrue(trojaned.pl1Norm() < 0.5 * Math.min(control.pl1Norm(), original.pl1Norm()),
                pl1s);
    }

    private static ScanReport scan(Path model, Path images) {
        return Scanner.scan(new Scanner.Request(model, InputSpec.sidecarOf(model), images, InversionConfig.defaults(),
                Scanner.DEFAULT_THRESHOLD, Scanner.DEFAULT_MAX_IMAGES, null, null), null).report();
    }
}
