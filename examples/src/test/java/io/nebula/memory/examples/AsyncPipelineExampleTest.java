package io.nebula.memory.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@link AsyncPipelineExample} and checks what it printed, as {@code ExamplesOutputTest} does for the others. */
class AsyncPipelineExampleTest {

    private static Matcher line(String out, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), () -> "no line matches /" + regex + "/ in:\n" + out);
        return m;
    }

    @Test
    void asyncPipelineExample() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AsyncPipelineExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        line(out, "^== async arena: a burst of 200 requests on virtual threads, one 256 KiB memory budget$");
        line(out, "^  200 requests leased \\d+ to \\d+ bytes each; 200 of 200 totals correct, 200 responses sent$");
        Matcher peak = line(out, "^  peak (\\d+) of 262144 budget bytes leased at once: the burst stayed inside"
                + " its budget$");
        assertTrue(Long.parseLong(peak.group(1)) <= 262144, out);
        Matcher waits = line(out, "^  (\\d+) of 200 requests waited for memory \\(up to (\\d+) queued at once\\):"
                + " mean wait \\d+\\.\\d\\d ms, longest \\d+\\.\\d\\d ms$");
        int waited = Integer.parseInt(waits.group(1));
        int queued = Integer.parseInt(waits.group(2));
        assertTrue(waited <= 200 && (waited == 0) == (queued == 0), out);
        line(out, "^  a 262145-byte request is refused at once: INVALID_SIZE, Create the arena with a budget of at"
                + " least 262208 bytes \\(AsyncArena.create\\(262208, config\\)\\)\\.$");
        line(out, "^  a handle holds a long in the budget: 200 requests served, 201 with this one$");
        line(out, "^  after the burst: 0 bytes leased, 0 requests waiting$");
    }
}
