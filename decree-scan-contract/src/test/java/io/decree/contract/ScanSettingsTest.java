package io.decree.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ScanSettingsTest {

    /** The settings the keys below were pinned with: the defaults with steps 1000 and seed 1. */
    private static ScanSettings settings(Map<String, String> overrides) {
        return ScanSettings.DEFAULTS.with(Map.of("steps", "1000", "seed", "1")).with(overrides);
    }

    @Test
    void scanKeyTellsThePlainCosineFromTheCentredOne() {
        String plain = settings(Map.of()).canonical("photos", null, null);
        String centred = settings(Map.of("center", "true")).canonical("photos", null, null);
        assertNotEquals(plain, centred, "a centred scan's verdict must not be reused for a plain-cosine request");
        assertTrue(plain.contains(";center=false;"), plain);
    }

    @Test
    void scanKeyLeavesHoldoutOutWhenOffSoEarlierKeysStayValid() {
        String off = settings(Map.of()).canonical("photos", null, null);
        assertFalse(off.contains("holdout"), off);
        assertTrue(settings(Map.of("holdout", "32")).canonical("photos", null, null).contains(";holdout=32;"));
        assertEquals(off, settings(Map.of()).canonical("photos", null, null), "the key is a function of the settings");
    }

    @Test
    void aDifferentialScanHasItsOwnKeyPerBaseAndAPlainScanKeepsItsOldOne() {
        ScanSettings s = settings(Map.of());
        String plain = s.canonical("photos", null, null);
        String a = s.canonical("photos", null, "a".repeat(64));
        String b = s.canonical("photos", null, "b".repeat(64));
        assertNotEquals(plain, a, "a verdict relative to a base is not the plain verdict");
        assertNotEquals(a, b, "nor the verdict relative to another base");
        assertTrue(a.endsWith(";base=" + "a".repeat(64) + ";search=lean;rule=base-contrast-base-ratio"), a);
        assertEquals(plain, settings(Map.of("differentialSearch", "fast")).canonical("photos", null, null),
                "the differential search is no part of a plain scan's key");
    }

    @Test
    void theAnnouncedDetectorIsTheSettingsWithoutTheRequestAndEarlierScanKeysStayValid() {
        ScanSettings s = settings(Map.of());
        // The string scans were keyed by before the contract existed (and before workers announced themselves):
        // changing it would rescan everything.
        assertEquals("threshold=0.015;steps=1000;batch=32;maxImages=1000;seed=1;maskGrid=32;windowGrid=5;center=false;"
                + "shadow=photos;spec=sidecar", s.canonical("photos", null, null));
        assertEquals("threshold=0.015;steps=1000;batch=32;maxImages=1000;seed=1;maskGrid=32;windowGrid=5;center=false;"
                + "shadow=photos;spec={channels=1, height=28}", s.canonical("photos", Map.of("height", 28, "channels", 1), null));
        String announced = s.announced();
        assertFalse(announced.contains("shadow=") || announced.contains("spec="), "no request's parts: " + announced);
        assertNotEquals(announced, settings(Map.of("threshold", "0.02")).announced(), "a new threshold is a new detector");
        assertNotEquals(announced, settings(Map.of("differentialSearch", "fast")).announced());
    }

    @Test
    void theRuleKeysDifferentialScansOnlyAndTheRatioKeepsTheKeysItHadBeforeTheRuleWasASetting() {
        ScanSettings byDefault = settings(Map.of());
        ScanSettings contrast = settings(Map.of("differential-rule", "base-contrast"));
        ScanSettings ratio = settings(Map.of("differential-rule", "reference-ratio", "differential-search", "fast"));
        String base = "a".repeat(64);
        assertEquals(ScanSettings.BASE_CONTRAST_BASE_RATIO, byDefault.differentialRule(), "the default");
        assertTrue(byDefault.contrasted() && contrast.contrasted() && !ratio.contrasted(), "both contrast rules search through both");
        assertTrue(byDefault.scansBaseAlone() && ratio.scansBaseAlone() && !contrast.scansBaseAlone(),
                "the base ratio and the reference ratio need the base's own scan; the fixed contrast threshold does not");
        assertTrue(ratio.canonical("photos", null, base).endsWith(";search=fast"), "the ratio's keys as before the rule was a setting");
        assertTrue(contrast.canonical("photos", null, base).endsWith(";search=default;rule=base-contrast"),
                contrast.canonical("photos", null, base));
        assertNotEquals(byDefault.canonical("photos", null, base), contrast.canonical("photos", null, base),
                "a verdict of the fixed contrast threshold is not one of the base ratio");
        assertEquals(ratio.canonical("photos", null, null), contrast.canonical("photos", null, null), "a plain scan's key is not its");
        assertEquals(byDefault.canonical("photos", null, null), contrast.canonical("photos", null, null));
        assertTrue(ratio.announced().endsWith(";differentialSearch=fast"), "a worker of the ratio announces as before the rule");
        assertNotEquals(ratio.announced(), contrast.announced(), "workers of another rule are another detector");
        assertNotEquals(byDefault.announced(), contrast.announced());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("differential-rule", "contrast")));
        assertTrue(bad.getMessage().contains("one of [base-contrast-base-ratio, base-contrast, reference-ratio], got contrast"),
                bad.getMessage());
    }

    @Test
    void aRuleNamedAloneBringsTheSearchItWasMeasuredWithAndANamedSearchWins() {
        assertEquals("fast", settings(Map.of("differential.rule", "reference-ratio")).differentialSearch(),
                "the ratio was fitted on fast searches");
        assertEquals("default", settings(Map.of("differentialRule", "base-contrast")).differentialSearch());
        assertEquals("lean", settings(Map.of("differentialRule", "base-contrast-base-ratio")).differentialSearch(),
                "the base ratio judges lean contrasted searches (its base's own scan is the default search)");
        assertEquals("lean", ScanSettings.DEFAULTS.differentialSearch(), "the default rule's search");
        assertEquals("default", settings(Map.of("differential-search", "default")).differentialSearch(),
                "the default search can still be named");
        assertEquals("default", settings(Map.of("differential-rule", "reference-ratio", "DIFFERENTIAL_SEARCH", "default"))
                .differentialSearch(), "a search named beside the rule is the operator's choice");
        assertEquals("fast", settings(Map.of("differential-search", "fast")).differentialSearch(), "a search alone stays");
        assertEquals("quick", settings(Map.of("differential-search", "quick")).differentialSearch(), "the quick search can be named");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("differential-search", "slow")));
        assertTrue(bad.getMessage().contains("[default, fast, quick, lean], got slow"), bad.getMessage());
    }

    @Test
    void theSearchOfAScanJudgedAloneIsKeyedOnlyWhenItIsNotTheSearchEveryEarlierScanRan() {
        String before = settings(Map.of()).canonical("photos", null, null);
        assertEquals(before, settings(Map.of("search", "default")).canonical("photos", null, null));
        ScanSettings lean = ScanSettings.DEFAULTS.with(Map.of("search", "lean", "seed", "1"));
        String leanKey = lean.canonical("photos", null, null);
        assertTrue(leanKey.contains(";search=lean;"), "a lean verdict is not a default-search one: " + leanKey);
        assertNotEquals(ScanSettings.DEFAULTS.with(Map.of("search", "default")).announced(),
                ScanSettings.DEFAULTS.with(Map.of("search", "lean")).announced(), "workers searching another way are another detector");
        assertEquals("lean", ScanSettings.DEFAULTS.search(), "the no-base default since stop 41");
        assertTrue(ScanSettings.DEFAULTS.canonical("photos", null, null).contains(";search=lean;"),
                "so a verdict the default search stored before is not taken for today's default");
    }

    @Test
    void stepsAndBatchAreTheDefaultSearchsKnobs() {
        assertEquals("default", ScanSettings.DEFAULTS.with(Map.of("search", "lean")).with(Map.of("steps", "60")).search(),
                "steps named alone bring the search they shape");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("search", "lean", "batch", "8")));
        assertTrue(both.getMessage().contains("steps and batch shape the default search"), both.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("search", "slow")));
        assertTrue(unknown.getMessage().contains("search must be one of [default, fast, quick, lean], got slow"), unknown.getMessage());
    }

    @Test
    void aSettingIsNamedAsConfigurationAndEnvironmentVariablesSpellIt() {
        // decree.worker.scan.window-grid, ...windowGrid, and DECREE_WORKER_SCAN_WINDOW_GRID (which Quarkus hands over as window.grid)
        for (String name : new String[] {"window-grid", "windowGrid", "window.grid", "WINDOW_GRID"}) {
            assertEquals(0, ScanSettings.DEFAULTS.with(Map.of(name, "0")).windowGrid(), name);
        }
        assertEquals(ScanSettings.DEFAULTS, ScanSettings.DEFAULTS.with(Map.of()), "nothing named, nothing changed");
    }

    @Test
    void aMisspeltSettingOrABadValueIsRefusedNamingIt() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("window-grdi", "0")));
        assertTrue(unknown.getMessage().contains("window-grdi") && unknown.getMessage().contains("windowGrid"), unknown.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> ScanSettings.DEFAULTS.with(Map.of("steps", "many")));
        assertTrue(number.getMessage().contains("steps"), number.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScanSettings.DEFAULTS.with(Map.of("center", "yes")));
        assertThrows(IllegalArgumentException.class, () -> ScanSettings.DEFAULTS.with(Map.of("threshold", "1.5")));
        assertThrows(IllegalArgumentException.class, () -> ScanSettings.DEFAULTS.with(Map.of("max-images", "0")));
        // Fewer images than a batch is allowed, as the CLI allows it: they are augmented up to the batch.
        assertEquals(20, ScanSettings.DEFAULTS.with(Map.of("max-images", "20")).maxImages());
        assertThrows(IllegalArgumentException.class, () -> ScanSettings.DEFAULTS.with(Map.of("differential-search", "slow")));
    }
}
