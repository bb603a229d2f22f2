package io.decree.contract;

import java.nio.file.Path;

/**
 * One scan as the worker asks the detector for it: {@code decree scan --config FILE} reads this file. Paths are the
 * child process's (the worker's scan folder); the settings are whole, defaults included, so the detector applies no
 * default of its own to a worker's scan.
 *
 * @param model        the TorchScript encoder; its input spec in MODEL.json beside it, when there is one
 * @param images       the shadow-image folder
 * @param out          where report.json, the evidence images and the SARIF go
 * @param baseline     the upstream checkpoint of a differential scan (scanned first with the differential search, into
 *                     {@code out/baseline/}, unless a report of it is there already), or null
 * @param sarifUri     the model's address in the store, for the SARIF result
 * @param evidenceUri  the store prefix the evidence files are uploaded under, for the SARIF's evidence list
 * @param progressFile where the detector keeps its latest {@link ScanProgressFile}, or null
 * @param device       auto (the GPU when present), cpu or gpu: where it runs, not what it finds
 * @param probesTogether images at most in one joint pass of the search's window probes (0: one probe after the other),
 *                     or null: the detector's choice by device (together on a GPU, apart on a CPU); how it runs, not
 *                     what it finds
 * @param settings     what decides the verdict
 */
public record ScanJob(String model, String images, String out, String baseline, String sarifUri, String evidenceUri,
        String progressFile, String device, Integer probesTogether, ScanSettings settings) {

    public ScanJob {
        if (model == null || images == null || out == null || settings == null) {
            throw new IllegalArgumentException("a scan job names its model, images, out and settings");
        }
        if (probesTogether != null && probesTogether < 0) {
            throw new IllegalArgumentException("probesTogether is images per pass, 0 or more (null: by device), got " + probesTogether);
        }
    }

    public void write(Path file) {
        ContractJson.write(this, file);
    }

    /** @throws IllegalArgumentException naming the file when it is not a job */
    public static ScanJob read(Path file) {
        return ContractJson.read(file, ScanJob.class);
    }
}
