package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import io.nebula.memory.jfr.LeakEvent;
import io.nebula.memory.jfr.ReleaseEvent;
import io.nebula.memory.jfr.StatisticsEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stack's flight-recorder events, recorded to a file and read back. */
class StackAllocatorEventsTest {

    @TempDir
    Path dir;

    @Test
    void releasesResetsLeaksAndStatisticsAreRecorded() throws IOException {
        Path file = dir.resolve("stack.jfr");
        StackConfig config = StackConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        try (Recording recording = new Recording()) {
            recording.enable(ReleaseEvent.NAME);
            recording.enable(LeakEvent.NAME);
            recording.enable(StatisticsEvent.NAME).with("period", "endChunk");
            recording.start();
            try (StackAllocator kept = StackAllocator.create(256, config)) {
                StackAllocator stack = StackAllocator.create(256, config);
                try (Scope _ = stack.scope()) {
                    stack.allocate(48);
                }
                Checkpoint checkpoint = stack.checkpoint();
                stack.allocate(16);
                stack.restore(checkpoint);
                stack.allocate(100);
                stack.reset();
                stack.allocate(8);
                stack.close();
                kept.allocate(4);
                recording.stop();
            }
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("nebula.memory."))
                .toList();

        List<String> releases = named(events, ReleaseEvent.NAME).stream()
                .map(e -> e.getString("kind") + " " + e.getLong("releasedBytes"))
                .toList();
        assertEquals(List.of("restore 48", "restore 16", "reset 100"), releases);

        List<RecordedEvent> leaks = named(events, LeakEvent.NAME);
        assertEquals(1, leaks.size());
        assertEquals(8, leaks.getFirst().getLong("liveBytes"));

        assertTrue(named(events, StatisticsEvent.NAME).stream()
                .anyMatch(e -> e.getString("allocator").startsWith("StackAllocator[capacity=256, used=4,")
                        && e.getLong("allocations") == 1), events::toString);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
