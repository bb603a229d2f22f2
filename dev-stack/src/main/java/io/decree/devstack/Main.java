package io.decree.devstack;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code up}: the embedded stack and the services (the scaling simulation over it is in bench). */
@Command(name = "dev-stack", mixinStandardHelpOptions = true, subcommands = Stack.class,
        description = "The decree pipeline on this machine, without Docker.")
public final class Main {
    public static void main(String[] args) {
        // Always exit: `up --exit-when-done` returns while client threads (HTTP, Kafka) may linger.
        // A refused option or input is one line, not a stack trace.
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("dev-stack: " + e.getMessage());
                return 2;
            }
            throw e;
        }).execute(args));
    }
}
