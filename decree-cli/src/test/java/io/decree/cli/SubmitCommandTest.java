package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code decree submit}: what it says when there is nothing to upload or nobody to upload to (the upload itself: PipelineIT). */
class SubmitCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingFileIsAUsageError() {
        Run r = run(tmp.resolve("nothing.pt").toString());
        assertEquals(4, r.code);
        assertTrue(r.err.contains("no such file"), r.err);
    }

    @Test
    void noPipelineListeningIsAnErrorThatSaysHowToStartOne() throws Exception {
        Path model = Files.writeString(tmp.resolve("m.pt"), "not read before the upload");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        Run r = run(model.toString(), "--ingest", "http://127.0.0.1:" + port, "--stack-dir", tmp.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("no ingest-service at") && r.err.contains("./decree up"), r.err);
    }

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            int code = new CommandLine(new SubmitCommand()).execute(args);
            return new Run(code, err.toString());
        } finally {
            System.setErr(old);
        }
    }
}
