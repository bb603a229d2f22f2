package io.decree.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A real S3 server (S3Proxy on the file system, under {@code dir/s3}) in a process of its own. */
final class S3Server {
    private S3Server() {
    }

    static ChildProcess start(Path dir, int port, String accessKey, String secretKey, Path logs) throws IOException {
        Path sdir = dir.resolve("s3");
        Files.createDirectories(sdir);
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", accessKey);
        p.setProperty("s3proxy.credential", secretKey);
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.identity", accessKey);
        p.setProperty("jclouds.credential", secretKey);
        p.setProperty("jclouds.filesystem.basedir", sdir.toString());
        Path props = dir.resolve("s3proxy.properties");
        try (var w = Files.newBufferedWriter(props)) {
            p.store(w, "written by dev-stack");
        }
        return ChildProcess.java("s3proxy", logs, Map.of(), List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.gaul.s3proxy.Main", "--properties", props.toString()));
    }
}
