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

    @Test
    void anEncodersBaseIsFoundByNameWithOrWithoutTheSuffix(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zoo.json"), """
                {"encoders":[
                  {"model":"encoders/simclr.pt","label":"clean","images":"images/a","attack":{"architecture":"r16.pt"}},
                  {"model":"encoders/bad.pt","label":"trojaned","images":"images/a","attack":{"base":"simclr"}},
                  {"model":"encoders/bad-real.pt","label":"trojaned","images":"images/f","attack":{"base":"face.pt"}},
                  {"model":"../shared/encoders/face.pt","label":"clean","images":"images/f","attack":null}]}""");
        Zoo zoo = Zoo.read(dir);
        assertEquals("simclr", zoo.encoders().get(1).base());
        assertEquals(dir.resolve("encoders/simclr.pt"), zoo.entry("simclr").model());
        assertEquals(dir.resolve("../shared/encoders/face.pt"), zoo.entry(zoo.encoders().get(2).base()).model());
        assertEquals(dir.resolve("encoders/simclr.pt"), ZooEvaluator.baseOf(zoo, zoo.encoders().get(1)));
        assertNull(ZooEvaluator.baseOf(zoo, zoo.encoders().get(0)), "a pre-training has no base");
        assertNull(zoo.entry("missing"));
        Path empty = Files.createDirectories(dir.resolve("eval/scans"));
        io.decree.BadInputException refused = org.junit.jupiter.api.Assertions.assertThrows(io.decree.BadInputException.class,
                () -> ZooEvaluator.basePlainScans(zoo, zoo.encoders().subList(1, 3), empty));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("no plain scan"), refused.getMessage());
    }
}
