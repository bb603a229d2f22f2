package io.decree.stack;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code up}: the embedded stack and services; {@code submit}: a model into it. */
@Command(name = "decree-stack", mixinStandardHelpOptions = true, subcommands = {Stack.class, Submit.class, ScalingBench.class},
        description = "The decree pipeline on this machine, without Docker.")
public final class Main {
    public static void main(String[] args) {
        // Always exit: `up --exit-when-done` returns while client threads (HTTP, Kafka) may linger.
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
