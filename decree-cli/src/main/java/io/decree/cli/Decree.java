package io.decree.cli;

import ai.djl.engine.EngineException;
import io.decree.BadInputException;
import io.decree.DeviceMemoryException;
import io.decree.contract.ScanExit;
import io.decree.scan.Scanner;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code decree}: scan pre-trained image encoders for backdoors (DECREE). */
@Command(name = "decree", mixinStandardHelpOptions = true, versionProvider = Decree.Version.class,
        description = "Detects backdoors in pre-trained image encoders (DECREE, Feng et al., CVPR 2023).",
        subcommands = {ScanCommand.class, ReplayCommand.class, BenchCommand.class, PretrainCommand.class, AttackCommand.class, ZooCommand.class, EvalCommand.class,
                SubmitCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean", "1:trojaned", "2:error in the input (bad model, images or settings; the model crashing)",
                "3:out of memory on the device", "4:usage error", "5:failed for another reason (I/O, or a bug in decree)"})
public final class Decree {
    public static final int CLEAN = ScanExit.CLEAN;
    public static final int TROJANED = ScanExit.TROJANED;
    public static final int ERROR = ScanExit.REJECTED;
    public static final int OUT_OF_MEMORY = ScanExit.OUT_OF_MEMORY;
    public static final int USAGE = ScanExit.USAGE;
    public static final int INTERNAL = ScanExit.INTERNAL;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Decree());
        cli.setParameterExceptionHandler((ex, a) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("decree: " + ex.getMessage());
            failed.usage(failed.getErr());
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BadInputException || e instanceof IllegalArgumentException || e instanceof DeviceMemoryException) {
                cmd.getErr().println("decree: error: " + e.getMessage());
            } else if (e instanceof EngineException) {
                cmd.getErr().println("decree: error: the model failed in libtorch: " + e.getMessage());
            } else if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("decree: I/O error: " + e.getMessage());
            } else {
                cmd.getErr().println("decree: internal error: " + e);
                e.printStackTrace(cmd.getErr());
            }
            return exitCode(e);
        });
        return cli.execute(args);
    }

    /** The exit code of a command that failed with {@code e}. */
    static int exitCode(Exception e) {
        if (e instanceof DeviceMemoryException || e instanceof EngineException && DeviceMemoryException.isOutOfMemory(e)) {
            return OUT_OF_MEMORY;
        }
        // IllegalArgumentException: a setting or file content decree refused with a reason (as BadInputException);
        // EngineException: libtorch failing on the model's computation where no command said more (bench, say).
        return e instanceof BadInputException || e instanceof IllegalArgumentException || e instanceof EngineException
                ? ERROR : INTERNAL;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"decree " + Scanner.VERSION};
        }
    }
}
