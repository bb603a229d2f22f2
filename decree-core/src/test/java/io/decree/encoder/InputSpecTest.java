package io.decree.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSpecTest {

    @Test
    void readsTheSidecarBesideTheModel() {
        InputSpec face = InputSpec.sidecarOf(SharedData.encoder("face_resnet_150.pt"));
        assertArrayEquals(new int[] {150, 150}, face.inputSize());
        assertArrayEquals(new double[] {0, 255}, face.valueRange());
        assertNull(face.mean());
    }

    @Test
    void flagsWinOverTheSidecar() {
        InputSpec spec = InputSpec.parse("{\"inputSize\":[224,224],\"valueRange\":[0,1],\"mean\":null,\"std\":null}")
                .override(new int[] {112, 96}, null, new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25});
        assertEquals(112, spec.height());
        assertEquals(96, spec.width());
        assertArrayEquals(new double[] {0, 1}, spec.valueRange());
        assertArrayEquals(new double[] {0.25, 0.25, 0.25}, spec.std());
        assertEquals(spec, InputSpec.parse(spec.toJson()), "JSON round trip");
    }

    @Test
    void missingSidecarIsNull(@TempDir Path tmp) {
        assertNull(InputSpec.sidecarOf(tmp.resolve("model.pt")));
    }

    @Test
    void rejectsBadSpecsWithAClearMessage(@TempDir Path tmp) throws IOException {
        assertThrows(BadInputException.class, () -> InputSpec.parse("{\"inputSize\":[224]}"));
        assertThrows(BadInputException.class, () -> InputSpec.parse("{\"inputSize\":[224,224],\"valueRange\":[1,0]}"));
        assertThrows(BadInputException.class, () -> InputSpec.parse("{\"inputSize\":[224,224],\"mean\":[0.5,0.5,0.5]}"));
        assertThrows(BadInputException.class, () -> InputSpec.parse("{\"inputSize\":[224,224],\"mean\":[0,0,0],\"std\":[1,0,1]}"));
        Files.writeString(tmp.resolve("m.json"), "{not json");
        BadInputException e = assertThrows(BadInputException.class, () -> InputSpec.sidecarOf(tmp.resolve("m.pt")));
        assertTrue(e.getMessage().contains("m.json"), e.getMessage());
    }
}
