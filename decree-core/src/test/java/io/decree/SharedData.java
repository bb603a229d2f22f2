package io.decree;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The project's real encoders and images (../shared), as the build passes them in -Ddecree.shared. */
public final class SharedData {
    private SharedData() {
    }

    public static Path dir() {
        Path p = Path.of(System.getProperty("decree.shared", "../../shared")).toAbsolutePath().normalize();
        require(Files.isDirectory(p.resolve("encoders")), "shared data (../shared) not found at " + p);
        return p;
    }

    /**
     * Skips the test when {@code what} is missing and says why, except where a run requires its data (.ci/run sets
     * DECREE_REQUIRE_DATA=1): there a missing input fails the test, so CI cannot pass while testing nothing.
     */
    public static void require(boolean present, String what) {
        if (!present && "1".equals(System.getenv("DECREE_REQUIRE_DATA"))) {
            throw new AssertionError(what + ", and this run requires its data (DECREE_REQUIRE_DATA=1)");
        }
        Assumptions.assumeTrue(present, what);
    }

    public static Path encoder(String name) {
        return dir().resolve("encoders").resolve(name);
    }

    public static Path architecture(String name) {
        return dir().resolve("architectures").resolve(name);
    }

    public static Path images(String name) {
        return dir().resolve("images").resolve(name);
    }
}
