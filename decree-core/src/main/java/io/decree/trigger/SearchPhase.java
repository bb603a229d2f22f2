package io.decree.trigger;

/**
 * The work of one phase of the search, counted in images through the encoder: what a faster search must cut.
 * Image-passes are deterministic (same seed, model and images, same count); seconds are what users feel.
 *
 * @param name              {@code centre} (the clean mean embedding), {@code uniform start} (the paper's),
 *                          {@code window probes}, {@code carried windows}
 * @param steps             optimisation steps in the phase
 * @param imagePasses       images through the encoder's forward and backward (a step's batch)
 * @param forwardOnlyPasses images through the forward alone (the clean mean, held-out checks)
 * @param seconds           wall-clock seconds of the phase
 */
public record SearchPhase(String name, int steps, long imagePasses, long forwardOnlyPasses, double seconds) {
}
