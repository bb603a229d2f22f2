package io.decree.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.data.Dataset;
import io.decree.pretrain.Pretraining;
import io.decree.pretrain.SimClr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Attack lab: SimCLR pre-training of a 32x32 TorchScript architecture on Fashion-MNIST or MNIST (a clean encoder).")
final class PretrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ARCH.pt", description = "Randomly initialised architecture, with its sidecar JSON (../shared/architectures).")
    Path architecture;

    @Option(names = "--dataset", description = "fashion-mnist or mnist (default: ${DEFAULT-VALUE}).")
    String dataset = "fashion-mnist";

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of the IDX files (default: /usr/share/datasets/fashion-mnist, decree-data/mnist).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.pt, PREFIX.json and PREFIX.pretrain.json.")
    Path out;

    @Option(names = "--steps", description = "Optimisation steps (default: ${DEFAULT-VALUE}).")
    int steps = 300;

    @Option(names = "--batch", description = "Images per step, two views each (default: ${DEFAULT-VALUE}).")
    int batch = 64;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 1e-3;

    @Option(names = "--temperature", description = "NT-Xent temperature (default: ${DEFAULT-VALUE}).")
    double temperature = 0.5;

    @Option(names = "--seed", description = "Seed of batches and augmentations (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Path dir = data != null ? data : Dataset.defaultDir(dataset);
        Pretraining.Report r = Pretraining.run(architecture, Dataset.load(dataset, dir, Dataset.Split.TRAIN),
                Dataset.load(dataset, dir, Dataset.Split.TEST), new SimClr.Config(steps, batch, lr, temperature, 64, seed), out,
                (s, loss) -> System.err.printf(Locale.ROOT, "\rSimCLR step %d/%d, loss %.3f", s, steps, loss));
        System.err.println();
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        return 0;
    }
}
