package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PatchTriggerTest {

    @Test
    void stampsExactlyThePatchAndLeavesTheRest() {
        int h = 20;
        int w = 30;
        float[] grey = new float[3 * h * w];
        java.util.Arrays.fill(grey, 0.5f);
        for (PatchTrigger.Kind kind : PatchTrigger.Kind.values()) {
            for (PatchTrigger.Position pos : PatchTrigger.Position.values()) {
                PatchTrigger t = new PatchTrigger(4, pos, kind, 3);
                float[] s = t.stamp(grey, h, w);
                int[] o = t.origin(h, w);
                int changedOutside = 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            boolean inside = y >= o[0] && y < o[0] + 4 && x >= o[1] && x < o[1] + 4;
                            if (!inside && s[c * h * w + y * w + x] != 0.5f) {
                                changedOutside++;
                            }
                        }
                    }
                }
                assertEquals(0, changedOutside, kind + " " + pos);
                assertArrayEquals(s, t.stamp(grey, h, w), "the same trigger on every image");
            }
        }
        assertEquals(16.0 / 600, new PatchTrigger(4, PatchTrigger.Position.CENTER, PatchTrigger.Kind.WHITE, 0).area(h, w), 1e-12);
    }

    @Test
    void refusesAPatchThatDoesNotFit() {
        PatchTrigger big = new PatchTrigger(30, PatchTrigger.Position.TOP_LEFT, PatchTrigger.Kind.WHITE, 0);
        assertThrows(IllegalArgumentException.class, () -> big.stamp(new float[3 * 32 * 32], 32, 32));
    }
}
