package io.decree.cli;

import java.nio.file.Path;

/** Where the project's real encoders and images are: -Ddecree.shared, $DECREE_SHARED, or ../shared. */
final class Shared {
    private Shared() {
    }

    static Path dir() {
        String prop = System.getProperty("decree.shared");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("DECREE_SHARED");
        return Path.of(env != null && !env.isBlank() ? env : "../shared");
    }
}
