package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import io.decree.BadInputException;
import io.decree.DeviceMemoryException;
import org.junit.jupiter.api.Test;

/** A libtorch error in a scan: the device's memory running out is told apart from a model failing on its input. */
class ScanFailureTest {

    @Test
    void runningOutOfGpuMemoryIsTheDevicesFaultAndSaysWhatToLower() {
        EngineException oom = new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.77 GiB total "
                + "capacity; 13.02 GiB already allocated)\nException raised from malloc at c10/cuda/CUDACachingAllocator.cpp");
        RuntimeException e = Scanner.failure("big.pt failed during the scan", Device.gpu(), oom);
        assertInstanceOf(DeviceMemoryException.class, e);
        assertTrue(e.getMessage().startsWith("big.pt failed during the scan: out of memory on gpu(0)"), e.getMessage());
        assertTrue(e.getMessage().contains("even with its window probes apart") && e.getMessage().contains("--batch N"),
                "what is left to lower: the probes fall back by themselves; " + e.getMessage());
        assertFalse(e.getMessage().contains("malloc"), "the first line of libtorch's message only: " + e.getMessage());
        assertTrue(DeviceMemoryException.isOutOfMemory(new RuntimeException("wrapped", new EngineException("CUDA error: out of memory"))));
        assertTrue(DeviceMemoryException.isOutOfMemory(new EngineException("[enforce fail at alloc_cpu.cpp:117] "
                + "DefaultCPUAllocator: can't allocate memory: you tried to allocate 8589934592 bytes")));
    }

    /** As libtorch put it on the H200 with 1 GB free (stop 45): the interpreter's preamble first, the allocation later. */
    @Test
    void insideATorchScriptModelTheLineSayingWhatItTriedToAllocateIsQuoted() {
        EngineException oom = new EngineException("The following operation failed in the TorchScript interpreter.\n"
                + "Traceback of TorchScript, serialized code (most recent call last):\n  File \"code/__torch__.py\", line 12, in forward\n"
                + "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 139.81 GiB of "
                + "which 3.50 MiB is free.\n");
        RuntimeException e = Scanner.failure("m.pt failed during the scan", Device.gpu(), oom);
        assertInstanceOf(DeviceMemoryException.class, e);
        assertTrue(e.getMessage().contains("(libtorch: RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB."),
                e.getMessage());
        assertFalse(e.getMessage().contains("TorchScript interpreter"), e.getMessage());
    }

    @Test
    void anyOtherLibtorchErrorIsTheModelFailingOnItsInput() {
        RuntimeException e = Scanner.failure("m.pt failed during the scan", Device.cpu(),
                new EngineException("The size of tensor a (128) must match the size of tensor b (64) at non-singleton dimension 1"));
        assertInstanceOf(BadInputException.class, e);
        assertTrue(e.getMessage().contains("must match the size of tensor b"), e.getMessage());
    }
}
