package io.decree.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba), as torch.optim.Adam computes it, for a fixed list of tensors (the trigger's
 * mask and pattern, or an encoder's weights in the attack lab).
 *
 * <p>Written here rather than taken from DJL because DJL's Adam creates its moment arrays lazily
 * on the first update: inside the per-step {@code NDScope} they would be freed with the step. Here
 * the moments belong to the run's manager and are updated in place; the temporaries of an update
 * belong to the step's scope.
 */
public final class Adam {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final List<NDArray> params;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private int t;

    public Adam(NDManager run, double lr, double beta1, double beta2, double eps, List<NDArray> params) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.params = params;
        for (NDArray p : params) {
            firstMoments.add(run.zeros(p.getShape()));
            secondMoments.add(run.zeros(p.getShape()));
        }
    }

    /**
     * One update from the gradients left by the last backward pass, which it then clears; call
     * outside the gradient collector.
     */
    public void step() {
        t++;
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = p.getGradient();
            NDArray m = firstMoments.get(i);
            NDArray v = secondMoments.get(i);
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.square().mul(1 - beta2));
            NDArray denom = v.sqrt().div(Math.sqrt(bias2)).add(eps);
            p.subi(m.div(denom).mul(lr / bias1));
            // libtorch adds each backward pass into .grad and DJL's collector does not clear it:
            // without this, step t would follow the sum of all gradients so far (AdamTest).
            g.muli(0);
        }
    }

    /**
     * Drops what a failed backward pass may have added to the gradients (a step abandoned for want of device memory), so
     * that the next step follows its own gradient only.
     */
    public void clearGradients() {
        for (NDArray p : params) {
            if (p.hasGradient()) {
                p.getGradient().muli(0);
            }
        }
    }
}
