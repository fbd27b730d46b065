package io.nebula.memory.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@link CompressionExample} and checks what it printed, as {@code ExamplesOutputTest} does for the others. */
class CompressionExampleTest {

    private static void assertPrinted(String out, String... expected) {
        for (String e : expected) {
            assertTrue(out.contains(e), () -> "missing \"" + e + "\" in:\n" + out);
        }
    }

    private static void assertMatches(String out, String regex) {
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(out).find(),
                () -> "no line matches /" + regex + "/ in:\n" + out);
    }

    @Test
    void compressionExample() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompressionExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertMatches(out, "^  request 1 waits for payment: 14776 arena bytes spilled into a \\d{3,4}-byte DEFLATE"
                + " snapshot \\(\\d+\\.\\dx\\)$");
        assertPrinted(out,
                "the arena serves request 2 meanwhile: total 656.00, 3576 bytes",
                "request 1 resumes: 14776 bytes restored at their offsets, total 5894.25 (was 5894.25)",
                "garden read back into a request arena: 1000 records, first sku 10001, stock value 203898.60",
                "  statistics: {\"puts\":4,\"gets\":1,\"frees\":1,\"bytesIn\":128000,\"bytesOut\":32000,",
                "    | Compression error: Corrupt data [CORRUPT_DATA]",
                "    |    Details:   the CRC32C of the header and payload is 0x",
                "the arena stays empty: 0 bytes");
        assertMatches(out, "^  cached 4 categories: 128000 bytes of records in \\d{4,5} bytes \\([3-9]\\.\\dx\\),"
                + " 1048576 bytes of chunk memory$");
    }
}
