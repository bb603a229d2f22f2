package io.decree.trigger;

/**
 * One start of the search and the smallest trigger it found on its batches: a backdoor makes the start over
 * its patch stand out from the others, a clean encoder's starts end alike (the anomaly index among the starts).
 *
 * @param start where the mask started: {@code uniform}, or {@code window Spx at (top,left)}
 * @param steps optimisation steps it was given (probes fewer than carried windows)
 * @param pl1   PL1 of its smallest batch success (1 if it had none)
 */
public record SearchStart(String start, int steps, double pl1) {
}
