package io.decree.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which uploaded file names are kept: they are shown in lists, pages and alerts. */
class UploadNameTest {

    @Test
    void ordinaryNamesAreKeptUpToTheLimit() {
        assertNull(EncoderResource.nameProblem("resnet18-simclr.pt"));
        assertNull(EncoderResource.nameProblem("é".repeat(EncoderResource.MAX_NAME)));
    }

    @Test
    void longBlankOrControlCharacterNamesAreRefusedWithTheReason() {
        assertEquals("file name of 256 characters is over the limit of 255", EncoderResource.nameProblem("n".repeat(256)));
        assertTrue(EncoderResource.nameProblem("a\r\nX-Injected: 1.pt").contains("control characters"));
        assertTrue(EncoderResource.nameProblem("   ").contains("no file name"));
        assertTrue(EncoderResource.nameProblem(null).contains("no file name"));
    }
}
