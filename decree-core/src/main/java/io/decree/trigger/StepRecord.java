package io.decree.trigger;

/** One optimisation step, for progress display and the similarity curve of a report. */
public record StepRecord(int step, double similarity, double pl1, double lambda, double bestPl1) {
}
