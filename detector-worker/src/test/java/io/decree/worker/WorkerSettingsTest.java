package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

    /** Settings as application.properties gives them by default, with some overridden. */
    private static WorkerSettings settings(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(Map.of("threshold", 0.015, "steps", 1000, "batch", 32, "maxImages", 1000,
                "seed", 1L, "maskGrid", 32, "windowGrid", 5, "holdout", 0, "center", false, "differentialSearch", "fast"));
        values.putAll(overrides);
        InvocationHandler h = (proxy, method, args) -> method.isDefault()
                ? InvocationHandler.invokeDefault(proxy, method, args)
                : values.get(method.getName());
        return (WorkerSettings) Proxy.newProxyInstance(WorkerSettings.class.getClassLoader(), new Class<?>[] {WorkerSettings.class}, h);
    }

    @Test
    void scanKeyTellsThePlainCosineFromTheCentredOne() {
        String plain = settings(Map.of()).canonical("photos", null);
        String centred = settings(Map.of("center", true)).canonical("photos", null);
        assertNotEquals(plain, centred, "a centred scan's verdict must not be reused for a plain-cosine request");
        assertTrue(plain.contains(";center=false;"), plain);
    }

    @Test
    void scanKeyLeavesHoldoutOutWhenOffSoEarlierKeysStayValid() {
        String off = settings(Map.of()).canonical("photos", null);
        assertFalse(off.contains("holdout"), off);
        assertTrue(settings(Map.of("holdout", 32)).canonical("photos", null).contains(";holdout=32;"));
        assertEquals(off, settings(Map.of()).canonical("photos", null), "the key is a function of the settings");
    }

    @Test
    void aDifferentialScanHasItsOwnKeyPerBaseAndAPlainScanKeepsItsOldOne() {
        WorkerSettings s = settings(Map.of());
        String plain = s.canonical("photos", null);
        assertEquals(plain, s.canonical("photos", null, null), "no base: the key scans had before bases existed");
        String a = s.canonical("photos", null, "a".repeat(64));
        String b = s.canonical("photos", null, "b".repeat(64));
        assertNotEquals(plain, a, "a verdict relative to a base is not the plain verdict");
        assertNotEquals(a, b, "nor the verdict relative to another base");
        assertTrue(a.endsWith(";base=" + "a".repeat(64) + ";search=fast"), a);
    }

    @Test
    void theAnnouncedDetectorIsTheSettingsWithoutTheRequestAndEarlierScanKeysStayValid() {
        WorkerSettings s = settings(Map.of());
        // The string scans were keyed by before workers announced themselves: changing it would rescan everything.
        assertEquals("threshold=0.015;steps=1000;batch=32;maxImages=1000;seed=1;maskGrid=32;windowGrid=5;center=false;"
                + "shadow=photos;spec=sidecar", s.canonical("photos", null));
        String announced = s.announced();
        assertFalse(announced.contains("shadow=") || announced.contains("spec="), "no request's parts: " + announced);
        assertNotEquals(announced, settings(Map.of("threshold", 0.02)).announced(), "a new threshold is a new detector");
        assertNotEquals(announced, settings(Map.of("differentialSearch", "default")).announced());
    }
}
