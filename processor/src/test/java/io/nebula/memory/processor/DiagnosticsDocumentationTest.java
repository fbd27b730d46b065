package io.nebula.memory.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nebula.memory.processor.diagnostics.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every tag the processor prints has a row, with an example and the fix, in DIAGNOSTICS.md and in the README. */
class DiagnosticsDocumentationTest {

    @Test
    void everyTagHasARowWithAnExampleAndTheFixInDiagnosticsAndTheReadme() throws IOException {
        String diagnostics = Files.readString(Path.of("..", "docs", "DIAGNOSTICS.md"), StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        for (Message message : Message.values()) {
            String tag = message.tag().substring("nebula/".length());
            assertTrue(diagnostics.contains("| `" + tag + "` |"), () -> "DIAGNOSTICS.md has no row for " + tag);
            assertTrue(readme.contains("| `" + tag + "` |"), () -> "README.md has no row for " + tag);
        }
    }
}
