package io.nebula.memory.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The processor is found by javac through the service loader and by Gradle as an isolating processor. */
class RegistrationTest {

    private static String resource(String path) throws IOException {
        try (InputStream in = NebulaProcessor.class.getClassLoader().getResourceAsStream(path)) {
            assertNotNull(in, path + " is missing from the processor jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    void javacFindsTheProcessorThroughTheServiceLoader() throws IOException {
        assertEquals(NebulaProcessor.class.getName(),
                resource("META-INF/services/javax.annotation.processing.Processor"));
    }

    @Test
    void gradleTreatsTheProcessorAsIsolating() throws IOException {
        assertEquals(NebulaProcessor.class.getName() + ",isolating",
                resource("META-INF/gradle/incremental.annotation.processors"));
    }
}
