package io.decree;

import java.util.Locale;

/**
 * A scan needed more memory than the device it ran on had: not the model's fault, so not a {@link BadInputException}.
 * The message says what to lower. A GPU scan's window probes stepped together hold most of it (10.4 GB for MobileNetV2
 * at 100 images a pass, docs/eval/gpu.md).
 */
public class DeviceMemoryException extends RuntimeException {
    public DeviceMemoryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code e} or a cause is libtorch's out-of-memory error: CUDA's caching allocator ("CUDA out of memory. Tried
     * to allocate ..."), the CUDA runtime's ("CUDA error: out of memory") or the CPU allocator's ("DefaultCPUAllocator:
     * can't allocate memory").
     */
    public static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && isOutOfMemoryText(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} holds one of libtorch's out-of-memory messages ({@link #isOutOfMemory}). */
    public static boolean isOutOfMemoryText(String text) {
        String m = text.toLowerCase(Locale.ROOT);
        return m.contains("out of memory") || m.contains("can't allocate memory");
    }
}
