package io.decree.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.decree.BadInputException;
import io.decree.arch.ResNetCifar;
import io.decree.attack.AttackLab;
import io.decree.attack.BadEncoder;
import io.decree.data.Dataset;
import io.decree.data.ImageFolder;
import io.decree.pretrain.Pretraining;
import io.decree.pretrain.SimClr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds a zoo from a {@link ZooPlan}: exports the labelled images, pre-trains, attacks, measures,
 * and writes {@code zoo.json} (what {@code decree eval} reads) and {@code zoo.md} (the zoo's card).
 * An encoder already on disk is kept, so an interrupted build resumes. A "trojaned" encoder whose
 * attack does not work (success below {@link #MIN_ATTACK_SUCCESS}) or that costs more than
 * {@link #MAX_UTILITY_DROP} of 1-NN accuracy is left out of the manifest, with the reason: it
 * would not be what its label says.
 */
public final class ZooBuilder {

    public static final double MIN_ATTACK_SUCCESS = 0.9;
    public static final double MAX_UTILITY_DROP = 0.05;

    /** Where the inputs are: ../shared and the folders of the Fashion-MNIST and MNIST IDX files. */
    public record Sources(Path shared, Path fashionMnist, Path mnist) {
        Path datasetDir(String dataset) {
            return dataset.startsWith("f") ? fashionMnist : mnist;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ZooPlan plan;
    private final Sources sources;
    private final Path out;
    private final Consumer<String> log;
    private final Map<String, Dataset> datasets = new HashMap<>();
    private Pattern only;

    public ZooBuilder(ZooPlan plan, Sources sources, Path out, Consumer<String> log) {
        this.plan = plan;
        this.sources = sources;
        this.out = out;
        this.log = log;
    }

    /**
     * Builds only the encoders whose name matches, and the pre-trained bases of the attacks among them: a part of a zoo
     * now, the rest (say the slow 224-px attacks) later. The manifest lists them with every encoder built before and the
     * real encoders, so that a zoo built in parts is evaluated whole.
     */
    public ZooBuilder only(Pattern names) {
        this.only = names;
        return this;
    }

    private boolean wanted(String name) {
        return only == null || only.matcher(name).find();
    }

    private static boolean built(Path model, Path report) {
        return Files.isRegularFile(model) && Files.isRegularFile(report);
    }

    /** Builds whatever is missing and returns the manifest's path. */
    public Path build() throws IOException {
        Files.createDirectories(out.resolve("encoders"));
        copyImages("photos");
        copyImages("faces");
        ArrayNode entries = JSON.createArrayNode();
        ArrayNode excluded = JSON.createArrayNode();
        StringBuilder card = new StringBuilder("| model | label | base | trigger | attack success | utility before → after |\n"
                + "|---|---|---|---|---|---|\n");
        for (ZooPlan.Pretrain p : plan.pretrains()) {
            Path model = out.resolve("encoders").resolve(p.name() + ".pt");
            Path report = out.resolve("encoders").resolve(p.name() + ".pretrain.json");
            // Not asked for and not built before: left for a later run. Built before: listed, so that the manifest of a
            // zoo built in parts names all of it.
            if (!wanted(p.name()) && plan.attacks().stream().noneMatch(a -> wanted(a.name()) && a.base().equals(p.name()))
                    && plan.pretrains().stream().noneMatch(q -> wanted(q.name()) && q.architecture().equals(p.name()))
                    && !built(model, report)) {
                continue;
            }
            ZooPlan.Pretrain from = plan.continuedFrom(p);
            if (!Files.isRegularFile(model) || !Files.isRegularFile(report)) {
                log.accept((from == null ? "pre-training " : "continuing " + from.name() + ": ") + p.name() + " (SimCLR, "
                        + p.steps() + " steps on " + p.dataset() + ")");
                Pretraining.run(from == null ? architecture(p.architecture()) : out.resolve("encoders").resolve(from.name() + ".pt"),
                        dataset(p.dataset(), Dataset.Split.TRAIN), dataset(p.dataset(), Dataset.Split.TEST),
                        new SimClr.Config(p.steps(), p.batch(), p.lr(), 0.5, 64, p.seed()), model.resolveSibling(p.name()), null);
            }
            ObjectNode r = (ObjectNode) JSON.readTree(report.toFile());
            if (from != null) {
                // A clean fine-tune of that base: the manifest names it as an attack's, for the scans against a base.
                r.put("base", from.name());
            }
            entries.add(entry(model, "clean", testImages(p.dataset()), r));
            card.append(String.format(Locale.ROOT, "| %s | clean | %s (SimCLR on %s) | – | – | %.3f → %.3f (1-NN) |%n", p.name(),
                    from == null ? p.architecture() : from.name() + ", continued", p.dataset(), r.get("knnAccuracyBefore").asDouble(),
                    r.get("knnAccuracy").asDouble()));
        }
        for (ZooPlan.Attack a : plan.attacks()) {
            Path model = out.resolve("encoders").resolve(a.name() + ".pt");
            Path report = out.resolve("encoders").resolve(a.name() + ".attack.json");
            if (!wanted(a.name()) && !built(model, report)) {
                continue;
            }
            String dataset = datasetOf(a.base());
            Path images = dataset == null ? out.resolve("images").resolve(plan.realImages(a.base())) : attackImages(dataset);
            String downstream = dataset != null ? dataset : plan.realDownstream(a.base());
            if (!Files.isRegularFile(model) || !Files.isRegularFile(report)) {
                log.accept((a.control() ? "clean-fine-tuning " : "trojaning ") + a.name());
                AttackLab.run(basePath(a.base()), images, downstream == null ? null : testImages(downstream), a.trigger(),
                        new BadEncoder.Config(a.steps(), a.batch(), a.lr(), 1, 1, !a.control(), a.seed(), a.views()), model.resolveSibling(a.name()),
                        null);
            }
            JsonNode r = JSON.readTree(report.toFile());
            String label = a.control() ? "clean" : "trojaned";
            double success = r.get("attackSuccess").asDouble();
            double drop = r.get("utilityBefore").asDouble() - r.get("utilityAfter").asDouble();
            String reason = a.control() ? null
                    : success < MIN_ATTACK_SUCCESS ? String.format(Locale.ROOT, "attack success %.2f < %.2f", success, MIN_ATTACK_SUCCESS)
                    : drop > MAX_UTILITY_DROP ? String.format(Locale.ROOT, "utility drop %.3f > %.2f", drop, MAX_UTILITY_DROP)
                    : null;
            if (reason != null) {
                excluded.add(JSON.createObjectNode().put("model", "encoders/" + a.name() + ".pt").put("reason", reason));
                log.accept("left out " + a.name() + ": " + reason);
            } else {
                entries.add(entry(model, label, dataset == null ? images : testImages(dataset), r));
            }
            card.append(String.format(Locale.ROOT, "| %s | %s%s | %s | %s | %.2f | %.3f → %.3f (%s) |%n", a.name(), label,
                    reason == null ? "" : " (left out: " + reason + ")", a.base(), a.control() ? "none (control)" : describe(a),
                    success, r.get("utilityBefore").asDouble(), r.get("utilityAfter").asDouble(), r.get("utilityKind").asText()));
        }
        for (ZooPlan.Real real : plan.realEncoders()) {
            Path model = sources.shared().resolve("encoders").resolve(real.file());
            // Nothing to build: listed whenever ../shared has it.
            if (!Files.isRegularFile(model)) {
                continue;
            }
            entries.add(entry(model, "clean", out.resolve("images").resolve(real.images()), null));
            card.append("| ").append(real.file()).append(" | clean | real (../shared) | – | – | – |\n");
        }
        ObjectNode root = JSON.createObjectNode().put("size", plan.size());
        root.set("encoders", entries);
        root.set("excluded", excluded);
        Path manifest = out.resolve("zoo.json");
        JSON.writeValue(manifest.toFile(), root);
        Files.writeString(out.resolve("zoo.md"), "# zoo (" + plan.size() + "): " + entries.size() + " encoders, "
                + excluded.size() + " left out\n\n" + card);
        return manifest;
    }

    /** An architecture of ../shared, or the one written here for {@link ZooPlan#GENERATED_RESNET}. */
    private Path architecture(String name) throws IOException {
        if (!name.equals(ZooPlan.GENERATED_RESNET)) {
            return sources.shared().resolve("architectures").resolve(name + ".pt");
        }
        Path model = out.resolve("architectures").resolve(name + ".pt");
        if (!Files.isRegularFile(model)) {
            Files.createDirectories(model.getParent());
            ResNetCifar.write(out.resolve("architectures").resolve(name), 16, 1);
        }
        return model;
    }

    private static String describe(ZooPlan.Attack a) {
        return String.format(Locale.ROOT, "%s %s %s", a.trigger().kind().name().toLowerCase(Locale.ROOT), a.trigger().describeSize(),
                a.trigger().position().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    private ObjectNode entry(Path model, String label, Path images, JsonNode attack) {
        ObjectNode e = JSON.createObjectNode()
                .put("model", relative(model))
                .put("label", label)
                .put("images", relative(images));
        e.set("attack", attack);
        return e;
    }

    private String relative(Path p) {
        return out.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString();
    }

    /** The dataset a base was trained on, or null for a real encoder of ../shared. */
    private String datasetOf(String base) {
        return plan.pretrains().stream().filter(p -> p.name().equals(base)).map(ZooPlan.Pretrain::dataset).findFirst().orElse(null);
    }

    private Path basePath(String base) {
        boolean pretrained = datasetOf(base) != null;
        Path p = pretrained ? out.resolve("encoders").resolve(base + ".pt") : sources.shared().resolve("encoders").resolve(base);
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("zoo base encoder not found: " + p);
        }
        return p;
    }

    private Dataset dataset(String name, Dataset.Split split) {
        return datasets.computeIfAbsent(name + "/" + split, k -> Dataset.load(name, sources.datasetDir(name), split));
    }

    /** Held-out labelled test images: what each 32x32 encoder is scanned with and its 1-NN utility measured on. */
    private Path testImages(String dataset) {
        Path dir = out.resolve("images").resolve(dataset + "-test");
        if (!Files.isRegularFile(dir.resolve(ImageFolder.LABELS))) {
            ImageFolder.export(dataset(dataset, Dataset.Split.TEST), plan.scanImages(), 1, dir);
        }
        return dir;
    }

    /** The attacker's images, from the training split: shadow data, attack-success test images and the reference. */
    private Path attackImages(String dataset) {
        Path dir = out.resolve("images").resolve(dataset + "-attack");
        if (!Files.isRegularFile(dir.resolve(ImageFolder.LABELS))) {
            ImageFolder.export(dataset(dataset, Dataset.Split.TRAIN), plan.attackImages(), 2, dir);
        }
        return dir;
    }

    private void copyImages(String name) throws IOException {
        Path src = sources.shared().resolve("images").resolve(name);
        Path dst = out.resolve("images").resolve(name);
        if (Files.isDirectory(dst) || !Files.isDirectory(src)) {
            return;
        }
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
