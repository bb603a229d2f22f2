package io.decree.contract;

/**
 * How {@code decree scan} ends, as its exit code: the worker runs each scan in a child process and tells a model at
 * fault from a device or a detector at fault by it alone (a rejected model is final; a failure inside the detector may
 * succeed when tried again).
 */
public final class ScanExit {
    public static final int CLEAN = 0;
    public static final int TROJANED = 1;
    /** The input is at fault: a bad model file, wrong input size, no images, the model failing on its input. */
    public static final int REJECTED = 2;
    /** The scan ran out of memory on its device, even with its window probes apart: the model may be fine. */
    public static final int OUT_OF_MEMORY = 3;
    public static final int USAGE = 4;
    /** Not the input's fault: writing the evidence failed, or decree has a bug (its stack trace follows on stderr). */
    public static final int INTERNAL = 5;

    private ScanExit() {
    }
}
