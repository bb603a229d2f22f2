package io.decree.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    @Test
    void eachStepSeesOnlyItsOwnGradient() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(new float[] {1f, -2f});
            w.setRequiresGradient(true);
            NDArray two = m.create(2f);
            Adam adam = new Adam(m, 0.0, 0.9, 0.999, 1e-8, List.of(w));
            for (int step = 0; step < 3; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(two).sum());
                }
                // libtorch accumulates into .grad across backward passes; the optimiser must clear it.
                assertArrayEquals(new float[] {2f, 2f}, w.getGradient().toFloatArray(), "step " + step);
                adam.step();
            }
        }
    }

    @Test
    void firstStepsMatchTorchOptimAdam() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray w = m.create(new float[] {1f});
            w.setRequiresGradient(true);
            Adam adam = new Adam(m, 0.1, 0.5, 0.9, 1e-8, List.of(w));
            // loss = w^2: gradient 2w. Adam's first step moves by lr*sign(g) whatever the scale.
            for (int step = 0; step < 2; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(w).sum());
                }
                adam.step();
            }
            // torch.optim.Adam([w], lr=0.1, betas=(0.5, 0.9)) on w^2 from 1.0, worked by hand:
            // step 1 moves by lr (m^=2, v^=4) to 0.9; step 2 (g=1.8): m^=1.8667, v^=3.6 -> 0.80162.
            assertEquals(0.80162f, w.getFloat(0), 1e-4);
        }
    }
}
