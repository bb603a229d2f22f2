package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LambdaControllerTest {
    private final InversionConfig cfg = InversionConfig.defaults();

    @Test
    void raisesLambdaAfterPatienceSuccessesAndLowersAfterPatienceFailures() {
        LambdaController c = new LambdaController(cfg);
        c.update(true); // ends the warm-up
        for (int i = 0; i < cfg.lambdaPatience(); i++) {
            c.update(true);
        }
        assertEquals(cfg.lambdaInit(), c.lambda(), "not yet: patience steps are allowed");
        c.update(true);
        assertEquals(cfg.lambdaInit() * cfg.lambdaFactor(), c.lambda(), 1e-15);
        for (int i = 0; i <= cfg.lambdaPatience(); i++) {
            c.update(false);
        }
        assertEquals(cfg.lambdaInit(), c.lambda(), 1e-15);
    }

    @Test
    void staysAtZeroUntilTheTargetIsFirstMet() {
        LambdaController c = new LambdaController(cfg);
        for (int i = 0; i < 50; i++) {
            c.update(false);
        }
        assertEquals(0.0, c.lambda());
        c.update(true);
        assertEquals(cfg.lambdaInit(), c.lambda());
    }

    @Test
    void neverSinksFarBelowItsFloor() {
        LambdaController c = new LambdaController(cfg);
        c.update(true);
        for (int i = 0; i < 500; i++) {
            c.update(false);
        }
        assertEquals(true, c.lambda() < cfg.lambdaMin() && c.lambda() >= cfg.lambdaMin() / cfg.lambdaFactor(), "lambda=" + c.lambda());
    }
}
