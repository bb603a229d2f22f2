package io.decree.scan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A scan as SARIF 2.1.0, the format code-scanning tools (GitHub code scanning among them) read. A trojaned verdict
 * is one {@code error} result of rule DECREE001 on the model file; a clean verdict has no result. The scan's
 * figures ride in the run's properties either way, so a clean report still says how clean.
 */
public final class Sarif {
    public static final String RULE_ID = "DECREE001";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Sarif() {
    }

    /**
     * @param report      the scan
     * @param artifactUri where the model is, as the consumer should see it (a repository path, an s3:// URI)
     * @param evidence    URIs of the evidence images (trigger first), may be empty
     */
    public static ObjectNode of(ScanReport report, String artifactUri, List<String> evidence) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "decree");
        driver.put("version", report.detectorVersion());
        driver.put("informationUri", "https://openaccess.thecvf.com/content/CVPR2023/html/Feng_Detecting_Backdoors_in_Pre-Trained_Encoders_CVPR_2023_paper.html");
        ObjectNode rule = driver.putArray("rules").addObject();
        rule.put("id", RULE_ID);
        rule.put("name", "BackdooredImageEncoder");
        rule.putObject("shortDescription").put("text", "Pre-trained image encoder carries a backdoor");
        rule.putObject("fullDescription").put("text", "DECREE found a trigger covering less than the threshold share of "
                + "the image that collapses the embeddings of clean images onto one point: any classifier built on this "
                + "encoder inherits a backdoor.");
        rule.putObject("help").put("text", "Do not build on this encoder. The recovered trigger (mask, pattern) is in the "
                + "scan evidence; report the model to its publisher.");
        rule.putObject("defaultConfiguration").put("level", "error");
        ObjectNode ruleProps = rule.putObject("properties");
        ruleProps.put("security-severity", "9.0");
        ruleProps.putArray("tags").add("security").add("backdoor").add("machine-learning");

        ObjectNode artifact = run.putArray("artifacts").addObject();
        artifact.putObject("location").put("uri", artifactUri);
        artifact.put("length", report.encoder().sizeBytes());
        artifact.putObject("hashes").put("sha-256", report.encoder().sha256());

        ArrayNode results = run.putArray("results");
        if (report.verdict() == Verdict.TROJANED) {
            ObjectNode r = results.addObject();
            r.put("ruleId", RULE_ID);
            r.put("ruleIndex", 0);
            r.put("level", "error");
            r.put("kind", "fail");
            r.putObject("message").put("text", String.format(Locale.ROOT,
                    "Backdoor: a trigger covering %.2f%% of the image (PL1 %.4f < threshold %.4f) makes clean images' "
                            + "embeddings collapse (mean cosine %.3f).",
                    100 * report.pl1Norm(), report.pl1Norm(), report.threshold(), report.similarity()));
            ObjectNode loc = r.putArray("locations").addObject().putObject("physicalLocation");
            loc.putObject("artifactLocation").put("uri", artifactUri).put("index", 0);
            // Code scanning wants a region; a model file has no lines, so the whole file is line 1.
            loc.putObject("region").put("startLine", 1);
            r.putObject("partialFingerprints").put("encoderSha256/v1", report.encoder().sha256());
            ObjectNode props = r.putObject("properties");
            props.put("pl1Norm", report.pl1Norm());
            props.put("threshold", report.threshold());
            ArrayNode ev = props.putArray("evidence");
            evidence.forEach(ev::add);
        }
        ObjectNode inv = run.putArray("invocations").addObject();
        inv.put("executionSuccessful", true);
        ObjectNode props = run.putObject("properties");
        props.put("verdict", report.verdict().json());
        props.put("pl1Norm", report.pl1Norm());
        props.put("threshold", report.threshold());
        props.put("similarity", report.similarity());
        props.put("steps", report.steps());
        props.put("seconds", report.seconds());
        props.put("seed", report.seed());
        props.put("device", report.device());
        props.put("layout", report.layout());
        return root;
    }

    public static void write(ObjectNode sarif, Path file) {
        try {
            JSON.writeValue(file.toFile(), sarif);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
