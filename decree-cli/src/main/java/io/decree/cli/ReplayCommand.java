package io.decree.cli;

import ai.djl.engine.EngineException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.decree.BadInputException;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.images.ShadowImages;
import io.decree.scan.Evidence;
import io.decree.scan.Scanner;
import io.decree.trigger.TriggerTransfer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Stamp the trigger a scan recovered on other images and measure how far it collapses their embeddings.",
                "A backdoor's trigger works on any input; a trigger fitted to a few shadow images may not."})
final class ReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL.pt", description = "The TorchScript encoder the scan was run on.")
    Path model;

    @Option(names = "--scan", required = true, paramLabel = "DIR", description = "The scan's evidence folder (mask.png, pattern.png).")
    Path scan;

    @Option(names = "--images", required = true, arity = "1..*", paramLabel = "DIR",
            description = "One or more folders of PNG/JPEG images to stamp the trigger on.")
    List<Path> images;

    @Mixin
    SpecOptions spec = new SpecOptions();

    @Option(names = "--max-images", paramLabel = "N", description = "At most N images per folder (default: ${DEFAULT-VALUE}).")
    int maxImages = Scanner.DEFAULT_MAX_IMAGES;

    @Option(names = "--batch", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device = "auto";

    @Option(names = "--json", description = "Print the measurements as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxImages < 2 || batch < 1) {
            throw new BadInputException("--max-images must be >= 2 and --batch >= 1");
        }
        Evidence.Trigger trigger = Evidence.readTrigger(scan);
        InputSpec inputSpec = spec.resolve(model);
        if (trigger.height() != inputSpec.height() || trigger.width() != inputSpec.width()) {
            throw new BadInputException("the trigger in " + scan + " is " + trigger.width() + "x" + trigger.height() + " but "
                    + model.getFileName() + " takes " + inputSpec.width() + "x" + inputSpec.height() + " images");
        }
        List<TriggerTransfer> results = new ArrayList<>();
        try (Encoder encoder = Encoder.load(model, inputSpec, ScanOptions.device(device))) {
            encoder.probe();
            for (Path dir : images) {
                ShadowImages imgs = ShadowImages.load(dir, inputSpec.height(), inputSpec.width(), 2, maxImages, 0);
                try {
                    results.add(TriggerTransfer.measure(encoder, imgs, trigger.mask(), trigger.pattern(), batch));
                } catch (EngineException e) {
                    throw new BadInputException(model + " failed while replaying the trigger on " + dir + " (libtorch): "
                            + e.getMessage(), e);
                }
            }
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("model", model.toString());
            root.put("scan", scan.toString());
            root.put("pl1", trigger.pl1());
            ArrayNode rows = root.putArray("replays");
            for (int i = 0; i < images.size(); i++) {
                TriggerTransfer t = results.get(i);
                rows.addObject().put("images", images.get(i).toString()).put("count", t.images()).put("similarity", t.similarity())
                        .put("plainSimilarity", t.plainSimilarity()).put("cleanSimilarity", t.cleanSimilarity());
            }
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            System.out.printf(Locale.ROOT, "trigger of %s (PL1 %.4f, read from its 8-bit PNGs) on %s%n", scan, trigger.pl1(),
                    model.getFileName());
            System.out.printf(Locale.ROOT, "%-40s %6s %12s %8s %14s%n", "images", "count", "similarity", "plain", "clean images");
            for (int i = 0; i < images.size(); i++) {
                TriggerTransfer t = results.get(i);
                System.out.printf(Locale.ROOT, "%-40s %6d %12.4f %8.4f %14.4f%n", images.get(i), t.images(), t.similarity(),
                        t.plainSimilarity(), t.cleanSimilarity());
            }
        }
        return 0; // a measurement, not a verdict
    }
}
