package io.decree.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooTest {

    @Test
    void aRealEncoderWithANullAttackHasNoAttackSoRulesCountItAsRealClean(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zoo.json"), """
                {"size":"full","encoders":[
                  {"model":"encoders/bad.pt","label":"trojaned","images":"images/a","attack":{"base":"clean.pt"}},
                  {"model":"../shared/encoders/real.pt","label":"clean","images":"images/photos","attack":null},
                  {"model":"encoders/old.pt","label":"clean","images":"images/a"}]}""");
        Zoo zoo = Zoo.read(dir);
        assertNotNull(zoo.encoders().get(0).attack());
        assertEquals("clean.pt", zoo.encoders().get(0).attack().get("base").asText());
        assertNull(zoo.encoders().get(1).attack(), "JSON null is no attack (it used to read as a NullNode)");
        assertNull(zoo.encoders().get(2).attack());
    }
}
