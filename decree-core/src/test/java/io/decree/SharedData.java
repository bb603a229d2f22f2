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
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("encoders")), "shared data not found at " + p);
        return p;
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
