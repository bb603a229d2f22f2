package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GPU worker's DJL settings (docker-compose.yml's gpu profile, the Kubernetes gpu overlay) must name a JNI build
 * that the pytorch-jni jar decree-cli ships holds: DJL extracts {@code jnilib/linux-x86_64/<PYTORCH_FLAVOR>/} from it,
 * whatever CUDA the runtime image has, and fails at the first scan when that folder is missing (the flavor was
 * {@code cu126} until a GPU run showed the jar holds only cpu and cu128).
 */
class GpuDeploymentTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern SETTING = Pattern.compile("(PYTORCH_FLAVOR|PYTORCH_VERSION)\\s*(?::|, value:)\\s*([\\w.]+)");

    @Test
    void everyGpuDeploymentNamesAJniTheBuildShips() throws IOException {
        Properties jni = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/jnilib/pytorch.properties")) {
            assertNotNull(in, "pytorch-jni is not on decree-cli's classpath");
            jni.load(in);
        }
        String jniVersion = jni.getProperty("jni_version");
        for (Path file : List.of(ROOT.resolve("docker-compose.yml"), ROOT.resolve("deploy/overlays/gpu/kustomization.yaml"))) {
            String flavor = null;
            String version = null;
            Matcher m = SETTING.matcher(Files.readString(file));
            while (m.find()) {
                if (m.group(1).equals("PYTORCH_FLAVOR")) {
                    flavor = m.group(2);
                } else {
                    version = m.group(2);
                }
            }
            assertNotNull(flavor, file + " sets no PYTORCH_FLAVOR");
            assertNotNull(version, file + " sets no PYTORCH_VERSION");
            assertNotNull(getClass().getResource("/jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"),
                    file + ": PYTORCH_FLAVOR=" + flavor + " names no JNI build in pytorch-jni " + jniVersion);
            assertEquals(version, jniVersion.substring(0, jniVersion.indexOf('-')),
                    file + ": PYTORCH_VERSION must be the libtorch the shipped JNI was built for");
        }
    }
}
