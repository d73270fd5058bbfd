package dev.efficientnet.train.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which checkpoint of a run folder is used. */
class RunCheckpointsTest {

    @Test
    void fixresThenLastThenBest(@TempDir Path dir) throws IOException {
        IOException none = assertThrows(IOException.class, () -> RunCheckpoints.resolve(dir));
        assertTrue(none.getMessage().contains("without a checkpoint"), none.getMessage());

        Files.writeString(dir.resolve("best.safetensors"), "x");
        RunCheckpoints.Choice c = RunCheckpoints.resolve(dir);
        assertEquals(dir.resolve("best.safetensors"), c.file());
        assertTrue(c.reason().contains("optimistic"), c.reason());

        Files.writeString(dir.resolve("last.safetensors"), "x");
        c = RunCheckpoints.resolve(dir);
        assertEquals(dir.resolve("last.safetensors"), c.file());
        assertTrue(c.reason().contains("final weights") && c.reason().contains("best.safetensors"), c.reason());

        Files.writeString(dir.resolve("fixres.safetensors"), "x");
        c = RunCheckpoints.resolve(dir);
        assertEquals(dir.resolve("fixres.safetensors"), c.file());
        assertTrue(c.reason().contains("FixRes") && c.reason().contains("last.safetensors or best.safetensors"), c.reason());

        Path file = dir.resolve("best.safetensors");
        RunCheckpoints.Choice f = RunCheckpoints.resolve(file);
        assertEquals(file, f.file());
        assertNull(f.reason(), "a file is used as given");
    }
}
