package io.decree.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadowImagesTest {

    @Test
    void loadsRealPhotosAtTheEncoderSizeInUnitRange() {
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), 48, 64, 1, 1000, 1);
        assertEquals(50, photos.size());
        assertEquals(50, photos.originals());
        float[] px = photos.pixels(0);
        assertEquals(3 * 48 * 64, px.length);
        double min = 1;
        double max = 0;
        for (float v : px) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= 0 && max <= 1 && max - min > 0.2, "a real photo spans a range of [0,1]: " + min + ".." + max);
    }

    @Test
    void augmentsAFewImagesUpToTheBatchWithDistinctViews() {
        ShadowImages faces = ShadowImages.load(SharedData.images("faces"), 32, 32, 80, 5, 3);
        assertEquals(5, faces.originals());
        assertEquals(80, faces.size());
        assertFalse(Arrays.equals(faces.pixels(0), faces.pixels(5)), "an augmented view differs from its original");
        ShadowImages again = ShadowImages.load(SharedData.images("faces"), 32, 32, 80, 5, 3);
        assertTrue(Arrays.equals(faces.pixels(40), again.pixels(40)), "the same seed gives the same views");
    }

    @Test
    void emptyOrUnreadableFoldersAreClearErrors(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        BadInputException e = assertThrows(BadInputException.class, () -> ShadowImages.load(empty, 32, 32, 2, 10, 1));
        assertTrue(e.getMessage().contains("holds no PNG or JPEG"), e.getMessage());

        Path broken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(broken.resolve("a.jpg"), "not a jpeg");
        e = assertThrows(BadInputException.class, () -> ShadowImages.load(broken, 32, 32, 2, 10, 1));
        assertTrue(e.getMessage().contains("could be decoded") && e.getMessage().contains("a.jpg"), e.getMessage());

        e = assertThrows(BadInputException.class, () -> ShadowImages.load(tmp.resolve("missing"), 32, 32, 2, 10, 1));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}
