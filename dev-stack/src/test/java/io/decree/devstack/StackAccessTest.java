package io.decree.devstack;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.client.LocalKey;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What `up` refuses about access control, before it makes anything. */
class StackAccessTest {

    @Test
    void accessControlOffIsRefusedBeyondLoopbackAndBesideKeys(@TempDir Path dir) {
        Stack open = parse("--dir", dir.toString(), "--no-auth", "--listen", "0.0.0.0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, open::call);
        assertTrue(e.getMessage().contains("drop --no-auth"), e.getMessage());
        Stack both = parse("--dir", dir.toString(), "--no-auth", "--api-keys", "a:reader:" + "0".repeat(64));
        e = assertThrows(IllegalArgumentException.class, both::call);
        assertTrue(e.getMessage().contains("contradict"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve(LocalKey.FILE)), "refused before anything was made");
    }

    private static Stack parse(String... args) {
        Stack s = new Stack();
        new CommandLine(s).parseArgs(args);
        return s;
    }
}
