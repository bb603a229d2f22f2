package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import java.nio.file.Path;
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

    private ScanOptions options() {
        ScanOptions o = new ScanOptions();
        o.images = tmp;
        return o;
    }
}
