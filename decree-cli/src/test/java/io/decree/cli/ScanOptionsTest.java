package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.contract.ScanJob;
import io.decree.contract.ScanSettings;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code scan}'s options refuse before any model is loaded. */
class ScanOptionsTest {

    @TempDir
    Path tmp;

    @Test
    void contrastNeedsABaseline() {
        ScanOptions o = options();
        o.contrast = true;
        BadInputException e = assertThrows(BadInputException.class, () -> o.request(tmp.resolve("m.pt"), null));
        assertTrue(e.getMessage().contains("--contrast needs --baseline"), e.getMessage());
    }

    @Test
    void aContrastThresholdOutsideTheImageIsRefusedByItsName() {
        ScanOptions o = options();
        o.contrast = true;
        o.baseline = tmp.resolve("base.pt");
        o.contrastThreshold = 2;
        BadInputException e = assertThrows(BadInputException.class, () -> o.request(tmp.resolve("m.pt"), null));
        assertTrue(e.getMessage().contains("--contrast-threshold must lie in (0,1], got 2.0"), e.getMessage());
    }

    @Test
    void aWorkersJobAgainstABaseWithTheContrastRuleIsAContrastedScanThatStopsAtItsOwnThreshold() {
        ScanSettings contrast = ScanSettings.DEFAULTS.with(Map.of("differential-rule", "base-contrast", "differential-search", "default"));
        ScanOptions o = new ScanOptions();
        o.from(job("base.pt", contrast));
        assertTrue(o.contrasted());
        assertEquals(Scanner.DEFAULT_CONTRAST_THRESHOLD, o.config().stopBelow());
        assertEquals(InversionConfig.DEFAULT_BATCH, o.config().batchSize(), "the default search, as the settings say");
        assertEquals(InversionConfig.DEFAULT_STEPS, o.config().maxSteps(), "the default search, as the settings say");

        assertFalse(o.byBaseRatio(), "the rule the job names");
        ScanOptions byDefault = new ScanOptions();
        byDefault.from(job("base.pt", ScanSettings.DEFAULTS));
        assertTrue(byDefault.contrasted() && byDefault.byBaseRatio(), "the contract's default: the base ratio, a contrasted search");
        assertEquals(InversionConfig.lean(), byDefault.config().toBuilder().stopBelow(0).build(),
                "the contract's defaults: the lean search, the base ratio's");

        ScanOptions quick = new ScanOptions();
        quick.from(job("base.pt", ScanSettings.DEFAULTS.with(Map.of("differential-search", "quick"))));
        assertTrue(quick.contrasted());
        assertEquals(InversionConfig.QUICK_STEPS, quick.config().maxSteps(), "the quick search, as the settings say");
        assertEquals(InversionConfig.QUICK_WINDOWS_KEPT, quick.config().windowsKept());
        assertEquals(ScanSettings.CONTRAST_THRESHOLD, quick.config().stopBelow());

        ScanOptions ratio = new ScanOptions();
        ratio.from(job("base.pt", ScanSettings.DEFAULTS.with(Map.of("differential-rule", "reference-ratio", "differential-search", "fast"))));
        assertFalse(ratio.contrasted(), "the reference ratio, as the job says");
        assertEquals(ScanSettings.DEFAULTS.threshold(), ratio.config().stopBelow());
        assertEquals(InversionConfig.FAST_BATCH, ratio.config().batchSize());

        ScanOptions plain = new ScanOptions();
        plain.from(job(null, contrast));
        assertFalse(plain.contrasted(), "no base, nothing to contrast with: a plain scan");
        assertEquals(ScanSettings.DEFAULTS.threshold(), plain.config().stopBelow());
    }

    @Test
    void theDifferentialRuleIsTheContractsByDefaultAndAnUnknownOneIsRefusedByItsName() {
        ScanOptions o = options();
        o.baseline = tmp.resolve("base.pt");
        assertEquals(ScanSettings.DEFAULTS.differentialRule(), o.differentialRule);
        assertEquals(ScanSettings.DEFAULTS.contrasted(), o.contrasted());
        assertTrue(o.byBaseRatio(), "the default rule judges by the base's own smallest trigger");
        o.contrast = true;
        assertTrue(o.contrasted() && !o.byBaseRatio(), "--contrast names the fixed contrast threshold");
        o.contrast = false;
        o.baseRatio = Double.NaN;
        BadInputException nan = assertThrows(BadInputException.class, () -> o.request(tmp.resolve("m.pt"), null));
        assertTrue(nan.getMessage().contains("--base-ratio must be a positive ratio, got NaN"), nan.getMessage());
        o.baseRatio = ScanSettings.BASE_RATIO;
        o.differentialRule = "base-contrast";
        assertFalse(o.byBaseRatio());
        assertTrue(o.contrasted());
        assertEquals(Scanner.DEFAULT_CONTRAST_THRESHOLD, o.config().stopBelow(), "the contrast's own threshold stops the search");
        assertEquals(InversionConfig.DEFAULT_BATCH, o.config().batchSize(), "the contrast searches as a default scan");
        o.differentialRule = "reference-ratio";
        assertEquals(InversionConfig.FAST_BATCH, o.config().batchSize(), "the ratio searches as it was fitted, fast");
        o.differentialRule = "ratio";
        BadInputException e = assertThrows(BadInputException.class, () -> o.request(tmp.resolve("m.pt"), null));
        assertTrue(e.getMessage().contains("--differential-rule must be one of [base-contrast-base-ratio, base-contrast, reference-ratio], got ratio"), e.getMessage());
    }

    @Test
    void theProbesGoTogetherByDeviceUnlessTheJobOrTheFlagSaysHowMany() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("m.json"), "{\"inputSize\":[32,32]}");
        ScanOptions byDevice = new ScanOptions();
        byDevice.from(job(null, ScanSettings.DEFAULTS));
        assertEquals(InversionConfig.PROBES_TOGETHER_AUTO, byDevice.config().probesTogetherImages());
        ScanOptions apart = new ScanOptions();
        apart.from(new ScanJob(tmp.resolve("m.pt").toString(), tmp.toString(), tmp.resolve("out").toString(), tmp.resolve("b.pt").toString(),
                null, null, null, "gpu", 0, ScanSettings.DEFAULTS));
        assertEquals(0, apart.config().probesTogetherImages(), "the worker's setting reaches the search");
        assertEquals(0, apart.withoutBase(tmp.resolve("m.pt"), null).config().probesTogetherImages(),
                "and the search of a model its base cannot judge");
        assertEquals(InversionConfig.GPU_PROBES_TOGETHER_IMAGES, probesTogether("m.pt", "--probes-together"), "bare: the GPU's default");
        assertEquals(InversionConfig.GPU_PROBES_TOGETHER_IMAGES, probesTogether("--probes-together", "m.pt"),
                "bare before the model, which stays the model");
        assertEquals(32, probesTogether("--probes-together=32", "m.pt"));
        assertEquals(0, probesTogether("--probes-together", "0", "m.pt"));
        picocli.CommandLine.ParameterException huge = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> probesTogether("--probes-together=99999999999", "m.pt"));
        assertTrue(huge.getMessage().contains("images per pass, got 99999999999"), huge.getMessage());
        ScanOptions flag = options();
        flag.search.probesTogether = -3;
        BadInputException e = assertThrows(BadInputException.class, flag::config);
        assertTrue(e.getMessage().contains("--probes-together"), e.getMessage());
    }

    private static int probesTogether(String... args) {
        ScanCommand scan = new ScanCommand();
        picocli.CommandLine.ParseResult r = new picocli.CommandLine(scan).parseArgs(args);
        assertEquals(List.of("m.pt"), r.matchedPositionals().stream().map(p -> p.getValue().toString()).toList());
        return scan.options.search.probesTogether;
    }

    private ScanJob job(String base, ScanSettings settings) {
        return new ScanJob(tmp.resolve("m.pt").toString(), tmp.toString(), tmp.resolve("out").toString(),
                base == null ? null : tmp.resolve(base).toString(), null, null, null, "cpu", null, settings);
    }

    @Test
    void noStopAtVerdictRunsTheWholeSearchAndStillTestsTriggersBelowTheThreshold() {
        ScanOptions o = options();
        assertFalse(o.config().wholeSearch());
        o.search.stopAtVerdict = false;
        assertTrue(o.config().wholeSearch());
        assertEquals(ScanSettings.DEFAULTS.threshold(), o.config().stopBelow(), "the level below which triggers are tested");
    }

    @Test
    void onTheCommandLineEachDifferentialRuleSearchesAsItWasMeasuredUnlessTheSearchIsNamed() {
        ScanOptions ratio = options();
        ratio.baseline = tmp.resolve("base.pt");
        assertEquals(InversionConfig.lean(), ratio.config().toBuilder().stopBelow(0).build(), "the base ratio: lean");
        ScanOptions contrast = options();
        contrast.baseline = tmp.resolve("base.pt");
        contrast.contrast = true;
        assertEquals(InversionConfig.DEFAULT_STEPS, contrast.config().maxSteps(), "--contrast: the default search");
        ScanOptions reference = options();
        reference.baseline = tmp.resolve("base.pt");
        reference.differentialRule = ScanSettings.REFERENCE_RATIO;
        assertEquals(InversionConfig.FAST_WINDOW_STEPS, reference.config().windowSteps(), "the reference ratio: fast");
        ScanOptions named = options();
        named.baseline = tmp.resolve("base.pt");
        named.search.preset = "default";
        assertEquals(InversionConfig.DEFAULT_STEPS, named.config().maxSteps(), "--search default wins");
        ScanOptions alone = options();
        assertEquals(InversionConfig.lean(), alone.config().toBuilder().stopBelow(InversionConfig.lean().stopBelow()).build(),
                "no base: the lean search, since stop 41");
        ScanOptions knobs = options();
        knobs.search.steps = 60;
        assertEquals(60, knobs.config().maxSteps(), "--steps named alone");
        assertEquals(InversionConfig.DEFAULT_BATCH, knobs.config().batchSize(), "brings the default search whose knob it is");
        assertEquals(InversionConfig.DEFAULT_WINDOWS_KEPT, knobs.config().windowsKept());
    }

    private ScanOptions options() {
        ScanOptions o = new ScanOptions();
        o.images = tmp;
        return o;
    }
}
