package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.eval.Evaluation;
import io.decree.eval.Zoo;
import io.decree.eval.ZooEvaluator;
import io.decree.scan.Sarif;
import io.decree.scan.SarifSchema;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end at the paper's CIFAR resolution, as a CI-sized zoo: the shared 32x32 ResNet,
 * BadEncoder-trojaned with a 5x5 white patch, is flagged; the same network and its
 * clean-fine-tuned control are not; {@code decree eval} reports the separation.
 */
class DecreeFlagsBadEncoderIT {

    private static final PatchTrigger TRIGGER = new PatchTrigger(5, PatchTrigger.Position.BOTTOM_RIGHT, PatchTrigger.Kind.WHITE, 1);

    @Test
    void flagsTrojanedEncoderFromBadEncoderAndNotItsCleanControl(@TempDir Path zooDir) throws IOException {
        Path base = Files.copy(SharedData.architecture("resnet18_w16_32.pt"), zooDir.resolve("base.pt"));
        Files.copy(SharedData.architecture("resnet18_w16_32.json"), zooDir.resolve("base.json"));
        Path photos = Files.createSymbolicLink(zooDir.resolve("photos"), SharedData.images("photos"));
        AttackLab.Report bad = AttackLab.run(base, photos, null, TRIGGER, new BadEncoder.Config(300, 16, 1e-3, 1, 1, true, 1),
                zooDir.resolve("bad"), null);
        AttackLab.run(base, photos, null, TRIGGER, new BadEncoder.Config(300, 16, 1e-3, 1, 1, false, 1), zooDir.resolve("ctl"), null);
        assertTrue(bad.attackSuccess() >= 0.9, "the backdoor works: " + bad.attackSuccess());
        Files.writeString(zooDir.resolve("zoo.json"), """
                {"encoders":[
                  {"model":"base.pt","label":"clean","images":"photos","attack":null},
                  {"model":"ctl.pt","label":"clean","images":"photos","attack":{"kind":"control"}},
                  {"model":"bad.pt","label":"trojaned","images":"photos","attack":{"kind":"badencoder","patch":5}}
                ]}""");

        Evaluation eval = ZooEvaluator.run(Zoo.read(zooDir), ZooEvaluator.Options.defaults(Scanner.DEFAULT_THRESHOLD), zooDir.resolve("eval"), null);

        String table = eval.markdown();
        assertEquals("trojaned", eval.rows().get(2).verdict(), table);
        assertEquals("clean", eval.rows().get(0).verdict(), table);
        assertEquals("clean", eval.rows().get(1).verdict(), table);
        assertEquals(1.0, eval.accuracy(), table);
        assertEquals(1.0, eval.auroc(), table);
        assertTrue(eval.rows().get(2).pl1() < 0.5 * Math.min(eval.rows().get(0).pl1(), eval.rows().get(1).pl1()), table);
        assertTrue(Files.size(zooDir.resolve("eval/pl1.png")) > 1000);
        assertTrue(Files.readString(zooDir.resolve("eval/eval.md")).contains("AUROC"));

        // The trojaned scan as SARIF 2.1.0: one error result on the model, valid against the schema.
        ScanReport badReport = ScanReport.read(zooDir.resolve("eval/scans/bad/report.json"));
        var sarif = Sarif.of(badReport, "bad.pt", java.util.List.of("eval/scans/bad/trigger.png"));
        assertTrue(SarifSchema.problems(sarif).isEmpty(), SarifSchema.problems(sarif).toString());
        assertEquals("error", sarif.at("/runs/0/results/0/level").asText());
    }
}
