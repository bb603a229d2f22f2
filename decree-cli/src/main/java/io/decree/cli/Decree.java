package io.decree.cli;

import io.decree.BadInputException;
import io.decree.DeviceMemoryException;
import io.decree.scan.Scanner;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code decree}: scan pre-trained image encoders for backdoors (DECREE). */
@Command(name = "decree", mixinStandardHelpOptions = true, versionProvider = Decree.Version.class,
        description = "Detects backdoors in pre-trained image encoders (DECREE, Feng et al., CVPR 2023).",
        subcommands = {ScanCommand.class, ReplayCommand.class, BenchCommand.class, PretrainCommand.class, AttackCommand.class, ZooCommand.class, EvalCommand.class,
                SubmitCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean", "1:trojaned", "2:error (bad input, crash)", "4:usage error"})
public final class Decree {
    public static final int CLEAN = 0;
    public static final int TROJANED = 1;
    public static final int ERROR = 2;
    /** The scan ran out of memory on its device: the model may be fine (a worker says so, not "rejected"). */
    public static final int OUT_OF_MEMORY = 3;
    public static final int USAGE = 4;

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
        return e instanceof DeviceMemoryException ? OUT_OF_MEMORY : ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"decree " + Scanner.VERSION};
        }
    }
}
