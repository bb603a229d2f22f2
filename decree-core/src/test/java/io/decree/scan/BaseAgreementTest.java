package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.contract.ScanSettings;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.trigger.InversionConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a base can judge its fine-tune: how alike the two embed the clean shadow images. */
class BaseAgreementTest {
    @TempDir
    Path tmp;

    private static final InputSpec SPEC = new InputSpec(new int[] {32, 32}, null, null, null);

    private BaseAgreement agreement(Path model, Path base) throws IOException {
        Scanner.Request req = new Scanner.Request(model, SPEC, io.decree.SharedData.images("photos"), InversionConfig.defaults(), 0.015,
                40, null, null);
        return Scanner.agreement(req, base, SPEC, ScanSettings.BASE_AGREEMENT);
    }

    @Test
    void aBackdoorThatLeavesCleanImagesAloneAgreesWithItsBaseWhileAnEncoderThatMovedDoesNot() throws IOException {
        Path smooth = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        // The planted backdoor changes only images with a white top-left corner: on clean photos it is its base.
        Path planted = TorchScriptFixtures.plantedBackdoorEncoder(tmp.resolve("planted.pt"));
        BaseAgreement trojan = agreement(planted, smooth);
        assertEquals(40, trojan.images());
        // (a few photos' bright top-left corners open the gate part-way)
        assertTrue(trojan.meanCosine() > 0.95, "the backdoor's clean embeddings are its base's: " + trojan);
        assertTrue(trojan.yardstick());
        assertEquals("smooth.pt", trojan.base());

        // The same features of the negated image: every clean embedding moved away from the base's.
        Path moved = TorchScriptFixtures.withForward(tmp.resolve("moved.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(torch.neg(x0), [4, 4])), 1)
                """);
        BaseAgreement drifted = agreement(moved, smooth);
        assertTrue(drifted.meanCosine() < 0, "opposite features: " + drifted);
        assertFalse(drifted.yardstick());
        assertTrue(drifted.whyAlone().contains("judged alone: this model embeds the shadow images unlike smooth.pt"), drifted.whyAlone());

        // Embeddings of another size: nothing to compare, and no yardstick either.
        Path coarse = TorchScriptFixtures.withForward(tmp.resolve("coarse.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(x0, [8, 8])), 1)
                """);
        BaseAgreement other = agreement(coarse, smooth);
        assertTrue(Double.isNaN(other.meanCosine()));
        assertFalse(other.yardstick());
        assertTrue(other.whyAlone().contains("differ in size"), other.whyAlone());
    }

    @Test
    void aModelItsBaseCannotJudgeKeepsTheRuleThatJudgedItAndSaysWhy() {
        Decision alone = new Decision("pl1", 0.06, 0.015, Verdict.CLEAN, "the smallest trigger that ... covers 6.00%");
        assertNull(alone.agreement());
        BaseAgreement moved = new BaseAgreement("base.pt", 0.79, 1000, ScanSettings.BASE_AGREEMENT);
        Decision judged = alone.with(moved);
        assertEquals("pl1", judged.rule(), "the rule that decided: the no-base one");
        assertEquals(Verdict.CLEAN, judged.verdict());
        assertSame(moved, judged.agreement());
        assertTrue(judged.meaning().startsWith("judged alone: this model embeds the shadow images unlike base.pt (mean cosine 0.790"),
                judged.meaning());
        assertTrue(judged.meaning().endsWith(alone.meaning()));

        BaseAgreement kept = new BaseAgreement("base.pt", 0.98, 1000, ScanSettings.BASE_AGREEMENT);
        Decision ratio = new Decision(ScanSettings.BASE_CONTRAST_BASE_RATIO, 0.4, 1.5, Verdict.TROJANED, "a trigger ...").with(kept);
        assertEquals("a trigger ...", ratio.meaning(), "a base that can judge changes nothing but the record");
        assertSame(kept, ratio.agreement());
    }
}
