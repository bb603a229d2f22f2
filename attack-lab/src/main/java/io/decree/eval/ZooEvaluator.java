package io.decree.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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

/** Scans every encoder of a zoo with default settings and a fixed threshold; writes eval.json, eval.md, pl1.png. */
public final class ZooEvaluator {
    private ZooEvaluator() {
    }

    public static Evaluation run(Zoo zoo, double threshold, Path out, Consumer<String> progress) throws IOException {
        Files.createDirectories(out);
        List<Evaluation.Row> rows = new ArrayList<>();
        int i = 0;
        for (Zoo.Entry e : zoo.encoders()) {
            String name = e.model().getFileName().toString();
            if (progress != null) {
                progress.accept(String.format("[%d/%d] %s", ++i, zoo.encoders().size(), name));
            }
            ScanReport r = Scanner.scan(new Scanner.Request(e.model(), InputSpec.sidecarOf(e.model()), e.images(),
                    InversionConfig.defaults(), threshold, Scanner.DEFAULT_MAX_IMAGES, null,
                    out.resolve("scans").resolve(name.replaceFirst("\\.pt$", ""))), null).report();
            rows.add(new Evaluation.Row(name, e.trojaned(), r.pl1Norm(), r.verdict().json(), r.seconds()));
        }
        Evaluation eval = Evaluation.of(rows, threshold);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("eval.json").toFile(), eval);
        Files.writeString(out.resolve("eval.md"), eval.markdown());
        Pl1Plot.write(eval, out.resolve("pl1.png"));
        return eval;
    }
}
