package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchOrderTest {

    @Test
    void batchesHaveOneSizeNoRepeatsAndCoverEveryImageEachPass() {
        TriggerInversion.BatchOrder order = new TriggerInversion.BatchOrder(50, 32, new Random(1));
        int[] seen = new int[50];
        int passes = 0;
        for (int step = 0; step < 100; step++) {
            int[] b = order.next();
            assertEquals(32, b.length);
            Set<Integer> distinct = new HashSet<>();
            Arrays.stream(b).forEach(distinct::add);
            assertEquals(32, distinct.size(), "no image twice in one batch");
            Arrays.stream(b).forEach(i -> seen[i]++);
            passes += order.epochEnded() ? 1 : 0;
        }
        // 3200 draws over 50 images: each image drawn 64 times, give or take the pass in progress.
        assertTrue(Arrays.stream(seen).allMatch(c -> c >= 62 && c <= 66), Arrays.toString(seen));
        assertTrue(passes >= 63 && passes <= 64, "passes " + passes);
    }
}
