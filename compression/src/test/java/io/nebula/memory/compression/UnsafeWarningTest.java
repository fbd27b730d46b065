package io.nebula.memory.compression;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees on first use, in a JVM started as a user would start it, without
 * {@code --sun-misc-unsafe-memory-access=allow} (which the test JVM has, for the tests that compare against
 * aircompressor's Java codecs): the documentation promises exactly this. No codec in its Java implementation prints
 * the JDK's warning about its deprecated memory-access class ({@link #UNSAFE_WARNING}), because none calls it;
 * Zstandard, which has no Java implementation, is refused with a typed error before any codec runs; the native
 * codecs need {@code --enable-native-access}.
 */
class UnsafeWarningTest {

    /** How the JDK's warning about its deprecated memory-access class begins, once per JVM that calls it. */
    private static final String UNSAFE_WARNING = "WARNING: A terminally deprecated method in ";

    private record Run(int exit, String out, String err) { }

    private static Run run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the child JVM did not finish");
        // The JVM announces JAVA_TOOL_OPTIONS and similar variables on stderr; they are the environment's, not ours.
        String errors = new String(err, StandardCharsets.UTF_8).lines()
                .filter(line -> !line.startsWith("Picked up "))
                .map(line -> line + "\n")
                .reduce("", String::concat);
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), errors);
    }

    @Test
    void theDefaultCodecWarnsAboutNothing() throws Exception {
        Run run = run(FirstUse.class.getName(), Codec.LZ4.name());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("ok "), run.out());
        assertEquals("", run.err());
        assertEquals(Codec.LZ4, StoreConfig.defaults().codec());
        assertEquals(CodecImplementation.JAVA, StoreConfig.defaults().implementation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NONE", "SNAPPY", "DEFLATE"})
    void noJavaImplementationWarnsAboutAnything(String codec) throws Exception {
        Run run = run(FirstUse.class.getName(), codec);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("ok "), run.out());
        assertEquals("", run.err());
    }

    @Test
    void zstandardInJavaIsRefusedWithoutTouchingUnsafe() throws Exception {
        Run run = run(FirstUse.class.getName(), "ZSTD");
        assertTrue(run.exit() != 0, run.out());
        assertTrue(run.err().contains(CompressionException.class.getName()), run.err());
        assertTrue(run.err().contains("Zstandard has no Java implementation"), run.err());
        assertFalse(run.err().contains("WARNING"), run.err());
    }

    @Test
    void aNativeCodecNeedsNativeAccessOrWarns() throws Exception {
        Run warned = run(FirstUse.class.getName(), "LZ4", "NATIVE");
        assertEquals(0, warned.exit(), warned.err());
        assertTrue(warned.err().startsWith("WARNING: A restricted method in java.lang.foreign."), warned.err());
        assertTrue(warned.err().contains("--enable-native-access=ALL-UNNAMED"), warned.err());
        assertFalse(warned.err().contains(UNSAFE_WARNING), warned.err());

        for (String codec : new String[] {"LZ4", "ZSTD", "SNAPPY", "DEFLATE"}) {
            Run quiet = run("--enable-native-access=ALL-UNNAMED", FirstUse.class.getName(), codec, "NATIVE");
            assertEquals(0, quiet.exit(), quiet.err());
            assertEquals("", quiet.err(), codec);
        }
    }
}
