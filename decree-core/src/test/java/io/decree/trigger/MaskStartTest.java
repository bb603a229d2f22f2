package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskStartTest {

    @Test
    void planStartsWithThePapersUniformStartThenAGridOfWindowsInsideTheImage() {
        List<MaskStart> plan = MaskStart.plan(32, 32, 5);
        assertEquals(26, plan.size());
        assertTrue(plan.get(0).isUniform());
        for (MaskStart s : plan.subList(1, plan.size())) {
            assertEquals(10, s.side());
            assertTrue(s.top() >= 0 && s.left() >= 0 && s.top() + s.side() <= 32 && s.left() + s.side() <= 32, s.toString());
        }
        assertEquals(List.of(MaskStart.uniform()), MaskStart.plan(32, 32, 0));
    }

    @Test
    void everyPatchUpToTwoFifthsOfAWindowLiesWhollyInsideOneWindow() {
        for (int[] size : new int[][] {{32, 5, 5}, {32, 3, 8}, {224, 5, 28}}) {
            int extent = size[0];
            int patch = size[2];
            List<MaskStart> windows = MaskStart.plan(extent, extent, size[1]).subList(1, size[1] * size[1] + 1);
            for (int top = 0; top + patch <= extent; top++) {
                for (int left = 0; left + patch <= extent; left++) {
                    int t = top;
                    int l = left;
                    assertTrue(windows.stream().anyMatch(w -> w.top() <= t && t + patch <= w.top() + w.side()
                                    && w.left() <= l && l + patch <= w.left() + w.side()),
                            patch + "px patch at (" + top + "," + left + ") of " + extent);
                }
            }
        }
    }

    @Test
    void windowMaskIsOpenInsideAndNearlyShutOutsideOnEveryCellSize() {
        MaskStart window = new MaskStart(10, 20, 10);
        for (int cell : new int[] {1, 5}) {
            float[] theta = window.theta(40, 40, cell, new Random(1));
            int side = 40 / cell;
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    double m = Math.tanh(theta[r * side + c]) / (2 - Squash.EPSILON) + 0.5;
                    int y = r * cell + cell / 2;
                    int x = c * cell + cell / 2;
                    boolean inside = y >= 10 && y < 20 && x >= 20 && x < 30;
                    assertTrue(inside ? Math.abs(m - MaskStart.OPEN) < 1e-4 : m < MaskStart.CLOSED + 1e-4,
                            "cell " + cell + " (" + r + "," + c + "): " + m);
                }
            }
        }
    }
}
