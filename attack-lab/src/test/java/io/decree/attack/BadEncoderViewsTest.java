package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The attacker's augmented shadow views: each image, then its views, all in [0,1], reproducible by seed. */
class BadEncoderViewsTest {
    private static final int S = 16;

    @Test
    void eachImageIsFollowedByItsViews() {
        List<float[]> images = List.of(image(1), image(2), image(3));
        BadEncoder bad = new BadEncoder(new BadEncoder.Config(10, 4, 1e-3, 1, 1, true, 5, 4));
        List<float[]> shadow = bad.withViews(images, S, S);
        assertEquals(12, shadow.size());
        for (int i = 0; i < 3; i++) {
            assertSame(images.get(i), shadow.get(4 * i), "the image itself first");
            for (int v = 1; v < 4; v++) {
                float[] view = shadow.get(4 * i + v);
                assertEquals(3 * S * S, view.length);
                assertFalse(Arrays.equals(images.get(i), view), "a view differs from its image");
                for (float x : view) {
                    assertTrue(x >= 0 && x <= 1, "pixels stay in [0,1]: " + x);
                }
            }
        }
        List<float[]> again = new BadEncoder(new BadEncoder.Config(10, 4, 1e-3, 1, 1, true, 5, 4)).withViews(images, S, S);
        for (int i = 0; i < shadow.size(); i++) {
            assertArrayEquals(shadow.get(i), again.get(i), "the same seed, the same views");
        }
    }

    @Test
    void oneViewIsTheImagesAsTheyAreAndNoneIsRefused() {
        List<float[]> images = List.of(image(1), image(2));
        assertSame(images, new BadEncoder(new BadEncoder.Config(10, 4, 1e-3, 1, 1, true, 5)).withViews(images, S, S));
        assertThrows(IllegalArgumentException.class, () -> new BadEncoder.Config(10, 4, 1e-3, 1, 1, true, 5, 0));
        BadEncoder bad = new BadEncoder(new BadEncoder.Config(10, 4, 1e-3, 1, 1, true, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> bad.withViews(List.of(new float[3 * S * 8]), S, 8));
    }

    private static float[] image(long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[3 * S * S];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        return x;
    }
}
