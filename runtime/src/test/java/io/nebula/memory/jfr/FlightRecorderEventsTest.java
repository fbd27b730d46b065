package io.nebula.memory.jfr;

import io.nebula.memory.AllocationException;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocators' flight-recorder events, recorded to a file and read back. */
class FlightRecorderEventsTest {

    @TempDir
    Path dir;

    private List<RecordedEvent> record(Runnable workload) throws IOException {
        Path file = dir.resolve("events.jfr");
        try (Recording recording = new Recording()) {
            recording.enable(AllocationErrorEvent.NAME);
            recording.enable(ReleaseEvent.NAME);
            recording.enable(LeakEvent.NAME);
            recording.enable(StatisticsEvent.NAME).with("period", "endChunk");
            recording.start();
            workload.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("nebula.memory."))
                .toList();
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void errorsReleasesLeaksAndStatisticsAreRecorded() throws IOException {
        BumpConfig config = BumpConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        BumpAllocator[] keep = new BumpAllocator[1];
        List<RecordedEvent> events = record(() -> {
            BumpAllocator arena = BumpAllocator.create(128, config);
            keep[0] = arena;
            arena.allocate(100);
            assertThrows(AllocationException.class, () -> arena.allocate(64, 8));
            arena.reset();
            arena.scope();
            arena.allocate(24);
            BumpAllocator leaky = BumpAllocator.create(64, config);
            leaky.scope();
            leaky.allocate(8);
            leaky.close();
        });

        RecordedEvent error = named(events, AllocationErrorEvent.NAME).getFirst();
        assertEquals("OUT_OF_MEMORY", error.getString("code"));
        assertEquals(64, error.getLong("requestedSize"));
        assertEquals(28, error.getLong("availableBytes"));

        RecordedEvent release = named(events, ReleaseEvent.NAME).getFirst();
        assertEquals("reset", release.getString("kind"));
        assertEquals(100, release.getLong("releasedBytes"));

        RecordedEvent leak = named(events, LeakEvent.NAME).getFirst();
        assertEquals(0, leak.getLong("liveAllocations"));
        assertEquals(1, leak.getLong("openScopes"));
        assertEquals(8, leak.getLong("liveBytes"));

        List<RecordedEvent> statistics = named(events, StatisticsEvent.NAME);
        assertTrue(statistics.stream().anyMatch(e -> e.getLong("allocations") == 2
                && e.getLong("currentBytes") == 24 && e.getLong("failedAllocations") == 1
                && e.getString("allocator").startsWith("BumpAllocator[capacity=128")), statistics::toString);
        keep[0].close();
    }
}
