package io.decree.eval;

import io.decree.BadInputException;
import io.decree.encoder.InputSpec;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Scans every encoder of a zoo with one detector config and a fixed threshold; writes eval.json, eval.md, pl1.png. */
public final class ZooEvaluator {
    private ZooEvaluator() {
    }

    /**
     * @param only       scan only the encoders whose manifest path matches (null: all)
     * @param images     shadow images for every encoder instead of each entry's own (the out-of-distribution study)
     * @param maxImages  at most this many shadow images per scan (the shadow-set-size study)
     * @param config     the detector's search settings (a candidate config is judged on the zoo with them)
     */
    public record Options(double threshold, Pattern only, Path images, int maxImages, InversionConfig config) {
        public static Options defaults(double threshold) {
            return new Options(threshold, null, null, Scanner.DEFAULT_MAX_IMAGES, InversionConfig.defaults());
        }
    }

    public static Evaluation run(Zoo zoo, Options opts, Path out, Consumer<String> progress) throws IOException {
        Files.createDirectories(out);
        List<Zoo.Entry> entries = zoo.encoders().stream()
                .filter(e -> opts.only() == null || opts.only().matcher(zoo.dir().relativize(e.model()).toString()).find())
                .toList();
        if (entries.isEmpty()) {
            throw new BadInputException("no encoder of " + zoo.dir() + " matches " + opts.only());
        }
        List<Evaluation.Row> rows = new ArrayList<>();
        int i = 0;
        for (Zoo.Entry e : entries) {
            String name = e.model().getFileName().toString();
            if (progress != null) {
                progress.accept(String.format("[%d/%d] %s", ++i, entries.size(), name));
            }
            ScanReport r = Scanner.scan(new Scanner.Request(e.model(), InputSpec.sidecarOf(e.model()),
                    opts.images() != null ? opts.images() : e.images(), opts.config(), opts.threshold(),
                    opts.maxImages(), null, out.resolve("scans").resolve(name.replaceFirst("\\.pt$", ""))), null).report();
            rows.add(new Evaluation.Row(name, e.trojaned(), r.pl1Norm(), r.targetReached(), r.verdict().json(), r.seconds(),
                    r.imagePasses()));
        }
        Evaluation eval = Evaluation.of(rows, opts.threshold());
        Files.writeString(out.resolve("eval.json"), eval.json());
        Files.writeString(out.resolve("eval.md"), eval.markdown());
        Pl1Plot.write(eval, out.resolve("pl1.png"));
        return eval;
    }
}
