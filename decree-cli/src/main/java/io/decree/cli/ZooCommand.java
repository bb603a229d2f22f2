package io.decree.cli;

import io.decree.data.Dataset;
import io.decree.zoo.ZooBuilder;
import io.decree.zoo.ZooPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "zoo", mixinStandardHelpOptions = true,
        description = "Attack lab: build the labelled evaluation zoo (SimCLR encoders, BadEncoder trojans, clean controls, the real encoders) and its zoo.json; resumes where it stopped.")
final class ZooCommand implements Callable<Integer> {

    @Option(names = "--size", description = "demo (a clean encoder and its trojan, no ../shared needed), ci (4 encoders, minutes) "
            + "or full (37 encoders) (default: ${DEFAULT-VALUE}).")
    String size = "full";

    @Option(names = "--only", paramLabel = "REGEX", description = "Build only the encoders whose name matches (and the bases "
            + "of the attacks among them), e.g. '^(?!.*mobilenet)' to leave the 224-px attacks for later; zoo.json lists what was built.")
    String only;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The zoo folder (zoo.json, zoo.md, encoders/, images/).")
    Path out;

    @Option(names = "--fashion-mnist", paramLabel = "DIR", description = "Fashion-MNIST IDX files (default: $DECREE_FASHION_MNIST or Debian's /usr/share/datasets/fashion-mnist).")
    Path fashionMnist;

    @Option(names = "--mnist", paramLabel = "DIR", description = "MNIST IDX files (default: $DECREE_MNIST or decree-data/mnist).")
    Path mnist;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Path manifest = new ZooBuilder(ZooPlan.of(size), new ZooBuilder.Sources(Shared.dir(),
                fashionMnist != null ? fashionMnist : Dataset.defaultDir("fashion-mnist"),
                mnist != null ? mnist : Dataset.defaultDir("mnist")), out, m -> System.err.println("zoo: " + m))
                .only(only == null ? null : Pattern.compile(only)).build();
        System.out.print(Files.readString(manifest.resolveSibling("zoo.md")));
        return 0;
    }
}
