package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.attack.PatchTrigger.Kind;
import io.decree.attack.PatchTrigger.Position;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchTriggerTest {

    @Test
    void stampsExactlyThePatchAndLeavesTheRest() {
        int h = 20;
        int w = 30;
        float[] grey = new float[3 * h * w];
        java.util.Arrays.fill(grey, 0.5f);
        for (Kind kind : Kind.values()) {
            for (Position pos : Position.values()) {
                for (PatchTrigger t : List.of(new PatchTrigger(4, pos, kind, 3), PatchTrigger.bar(7, 2, pos, kind, 3))) {
                    float[] s = t.stamp(grey, h, w);
                    int[] o = t.origin(h, w);
                    int changedOutside = 0;
                    int changedInside = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                boolean inside = y >= o[0] && y < o[0] + t.height() && x >= o[1] && x < o[1] + t.size();
                                boolean changed = s[c * h * w + y * w + x] != 0.5f;
                                changedOutside += !inside && changed ? 1 : 0;
                                changedInside += inside && changed ? 1 : 0;
                            }
                        }
                    }
                    assertEquals(0, changedOutside, kind + " " + pos + " " + t.describeSize());
                    assertTrue(changedInside > 0, kind + " " + pos + " " + t.describeSize());
                    assertArrayEquals(s, t.stamp(grey, h, w), "the same trigger on every image");
                }
            }
        }
        assertEquals(16.0 / 600, new PatchTrigger(4, Position.CENTER, Kind.WHITE, 0).area(h, w), 1e-12);
        assertEquals(14.0 / 600, PatchTrigger.bar(7, 2, Position.CENTER, Kind.WHITE, 0).area(h, w), 1e-12);
    }

    @Test
    void eachPositionIsWhereItsNameSays() {
        int h = 20;
        int w = 30;
        int m = PatchTrigger.MARGIN;
        PatchTrigger.Kind k = Kind.WHITE;
        // A 6 wide, 2 high bar: rows from the top, columns from the left.
        assertArrayEquals(new int[] {m, w - m - 6}, PatchTrigger.bar(6, 2, Position.TOP_RIGHT, k, 0).origin(h, w));
        assertArrayEquals(new int[] {h - m - 2, m}, PatchTrigger.bar(6, 2, Position.BOTTOM_LEFT, k, 0).origin(h, w));
        assertArrayEquals(new int[] {m, 12}, PatchTrigger.bar(6, 2, Position.TOP, k, 0).origin(h, w));
        assertArrayEquals(new int[] {h - m - 2, 12}, PatchTrigger.bar(6, 2, Position.BOTTOM, k, 0).origin(h, w));
        assertArrayEquals(new int[] {9, m}, PatchTrigger.bar(6, 2, Position.LEFT, k, 0).origin(h, w));
        assertArrayEquals(new int[] {9, w - m - 6}, PatchTrigger.bar(6, 2, Position.RIGHT, k, 0).origin(h, w));
        assertEquals("6x2px", PatchTrigger.bar(6, 2, Position.TOP, k, 0).describeSize());
        assertEquals("4px", PatchTrigger.parse(4, "top-right", "noise", 0).describeSize());
    }

    @Test
    void refusesAPatchThatDoesNotFit() {
        PatchTrigger big = new PatchTrigger(30, Position.TOP_LEFT, Kind.WHITE, 0);
        assertThrows(IllegalArgumentException.class, () -> big.stamp(new float[3 * 32 * 32], 32, 32));
        PatchTrigger tall = PatchTrigger.bar(2, 30, Position.RIGHT, Kind.WHITE, 0);
        assertThrows(IllegalArgumentException.class, () -> tall.stamp(new float[3 * 32 * 32], 32, 32));
        assertThrows(IllegalArgumentException.class, () -> PatchTrigger.bar(0, 3, Position.TOP, Kind.WHITE, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PatchTrigger.parse(4, "middle", "white", 0));
        assertTrue(e.getMessage().contains("no trigger position 'middle'") && e.getMessage().contains("top-right"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PatchTrigger.parse(4, 0, "top", "white", 0));
        assertTrue(e.getMessage().contains("at least 1 pixel, got 4x0"), "--patch-height 0 is not a square: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PatchTrigger.parse(4, "top", "stripes", 0));
        assertTrue(e.getMessage().contains("no trigger pattern 'stripes'"), e.getMessage());
    }
}
