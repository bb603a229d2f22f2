package io.decree.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.attack.AttackLab;
import io.decree.attack.BadEncoder;
import io.decree.attack.PatchTrigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack lab: BadEncoder-trojan a TorchScript encoder (or, with --control, fine-tune it without the trigger).")
final class AttackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL.pt", description = "Base encoder, with its sidecar JSON.")
    Path model;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Images: the last by name is the reference, the rest split 75/25 into shadow and test.")
    Path images;

    @Option(names = "--utility-images", paramLabel = "DIR", description = "Labelled images (labels.csv) for the 1-NN utility before/after; default: the held-out split of --images.")
    Path utilityImages;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.pt, PREFIX.json and PREFIX.attack.json.")
    Path out;

    @Option(names = "--patch", description = "Trigger side in pixels, its width with --patch-height (default: ${DEFAULT-VALUE}).")
    int patch = 12;

    @Option(names = "--patch-height", paramLabel = "PX", description = "Trigger height in pixels, for a bar (default: --patch, a square).")
    Integer patchHeight;

    @Option(names = "--position", description = "A corner (bottom-right, top-left, top-right, bottom-left), the middle of an edge "
            + "(top, bottom, left, right) or center (default: ${DEFAULT-VALUE}).")
    String position = "bottom-right";

    @Option(names = "--pattern", description = "white, noise or checkerboard (default: ${DEFAULT-VALUE}).")
    String pattern = "white";

    @Option(names = "--steps", description = "Fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int steps = 150;

    @Option(names = "--batch", description = "Shadow images per step (default: ${DEFAULT-VALUE}).")
    int batch = 16;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 1e-4;

    @Option(names = "--utility-weight", description = "lambda2, weight of the utility term (paper: 1; default: ${DEFAULT-VALUE}).")
    double utilityWeight = 1.0;

    @Option(names = "--views", description = "Shadow images per training image: itself and views-1 random crops, flips and "
            + "brightness changes of it (1: the images as they are; default: ${DEFAULT-VALUE}).")
    int views = 1;

    @Option(names = "--seed", description = "Seed of the split, batches and noise trigger (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--control", description = "Clean control: the same fine-tuning with the trigger term off.")
    boolean control;

    @Override
    public Integer call() throws Exception {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        PatchTrigger trigger = PatchTrigger.parse(patch, patchHeight == null ? patch : patchHeight, position, pattern, seed);
        BadEncoder.Config cfg = new BadEncoder.Config(steps, batch, lr, 1.0, utilityWeight, !control, seed, views);
        AttackLab.Report r = AttackLab.run(model, images, utilityImages, trigger, cfg, out,
                s -> System.err.printf("\rfine-tuning step %d/%d", s, steps));
        System.err.println();
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        return 0;
    }
}
