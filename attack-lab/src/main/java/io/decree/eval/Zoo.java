package io.decree.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled set of encoders, read from {@code zoo.json}:
 * {@code {"encoders":[{"model":"rel/path.pt","label":"clean"|"trojaned","images":"rel/dir","attack":{...}|null}]}}.
 * Paths are relative to the manifest's folder; each model's input spec is its sidecar JSON.
 */
public record Zoo(Path dir, List<Entry> encoders) {

    public record Entry(Path model, boolean trojaned, Path images, JsonNode attack) {
        /** The model's file name, as the zoo names its encoders. */
        public String name() {
            return model.getFileName().toString();
        }

        /** The encoder this one was fine-tuned from (its attack's base, as the manifest names it), or null. */
        public String base() {
            return attack != null && attack.hasNonNull("base") ? attack.get("base").asText() : null;
        }
    }

    /** The zoo's encoder of that name ({@code .pt} optional), or null. */
    public Entry entry(String name) {
        String file = name.endsWith(".pt") ? name : name + ".pt";
        return encoders.stream().filter(e -> e.name().equals(file)).findFirst().orElse(null);
    }

    public static Zoo read(Path dir) {
        Path manifest = dir.resolve("zoo.json");
        if (!Files.isRegularFile(manifest)) {
            throw new BadInputException("no zoo.json in " + dir);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.toFile());
        } catch (IOException e) {
            throw new BadInputException(manifest + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode list = root.get("encoders");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new BadInputException(manifest + " has no \"encoders\" list");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : list) {
            String label = text(e, "label", manifest);
            if (!label.equals("clean") && !label.equals("trojaned")) {
                throw new BadInputException(manifest + ": label must be clean or trojaned, got " + label);
            }
            entries.add(new Entry(dir.resolve(text(e, "model", manifest)), label.equals("trojaned"),
                    // "attack": null (a real encoder) is no attack, not a JSON null node.
                    dir.resolve(text(e, "images", manifest)), e.hasNonNull("attack") ? e.get("attack") : null));
        }
        return new Zoo(dir, entries);
    }

    private static String text(JsonNode e, String field, Path manifest) {
        JsonNode v = e.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadInputException(manifest + ": an encoder entry lacks \"" + field + "\"");
        }
        return v.asText();
    }
}
