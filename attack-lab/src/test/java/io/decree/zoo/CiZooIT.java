package io.decree.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.data.Dataset;
import io.decree.eval.Evaluation;
import io.decree.eval.Zoo;
import io.decree.eval.ZooEvaluator;
import io.decree.scan.Scanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized zoo, built from scratch and evaluated: SimCLR on Fashion-MNIST, two BadEncoder
 * trojans of it and a clean control (about 2 minutes on 2 cores), then decree eval.
 */
class CiZooIT {

    @Test
    void ciZooIsBuiltFromScratchAndDecreeSeparatesItsTrojans(@TempDir Path tmp) throws IOException {
        Path fashion = Dataset.defaultDir("fashion-mnist");
        SharedData.require(Files.isRegularFile(fashion.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Path manifest = new ZooBuilder(ZooPlan.ci(), new ZooBuilder.Sources(SharedData.dir(), fashion, null), tmp, m -> { })
                .build();

        JsonNode zoo = new ObjectMapper().readTree(manifest.toFile());
        assertEquals(4, zoo.get("encoders").size(), "nothing left out: " + zoo.get("excluded"));
        for (JsonNode e : zoo.get("encoders")) {
            JsonNode attack = e.get("attack");
            if (e.get("label").asText().equals("trojaned")) {
                assertTrue(attack.get("attackSuccess").asDouble() >= ZooBuilder.MIN_ATTACK_SUCCESS, e.toString());
                assertTrue(attack.get("utilityBefore").asDouble() - attack.get("utilityAfter").asDouble()
                        <= ZooBuilder.MAX_UTILITY_DROP, e.toString());
            } else if (attack.has("knnAccuracy")) {
                assertTrue(attack.get("knnAccuracy").asDouble() > attack.get("knnAccuracyBefore").asDouble() + 0.03,
                        "SimCLR learnt something: " + attack);
            }
        }

        Evaluation eval = ZooEvaluator.run(Zoo.read(tmp), ZooEvaluator.Options.defaults(Scanner.DEFAULT_THRESHOLD),
                tmp.resolve("eval"), null);
        assertEquals(1.0, eval.auroc(), "every trojaned encoder has a smaller PL1 than every clean one:\n" + eval.markdown());
        assertEquals(1.0, eval.accuracy(), eval.markdown());
        for (Evaluation.Fold f : eval.heldOut()) {
            assertEquals(1.0, f.accuracy(), "held out:\n" + eval.markdown());
        }
        assertTrue(Files.size(tmp.resolve("eval/pl1.png")) > 1000);
    }
}
