package io.nebula.memory.async;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.jfr.LongWaitEvent;
import io.nebula.memory.management.AllocatorMXBeans;
import io.nebula.memory.management.AsyncArenaMXBean;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.JMX;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The async arena's flight-recorder event and JMX bean. */
class AsyncArenaObservabilityTest {

    @TempDir
    Path dir;

    @Test
    void aRequestServedAfterTheThresholdRecordsALongWaitEvent() throws Exception {
        Path file = dir.resolve("waits.jfr");
        AsyncConfig config = AsyncConfig.defaults().withLongWait(Duration.ZERO).withLeakPolicy(LeakPolicy.IGNORE);
        try (Recording recording = new Recording()) {
            recording.enable(LongWaitEvent.NAME);
            recording.start();
            try (AsyncArena arena = AsyncArena.create(1024, config)) {
                arena.lease(64).join().close();
                Lease held = arena.lease(1024).join();
                CompletableFuture<Lease> first = arena.lease(512);
                CompletableFuture<Lease> second = arena.lease(1000);
                held.close();
                first.join().close();
                second.join().close();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> waits = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(LongWaitEvent.NAME)).toList();
        assertEquals(2, waits.size(), "the two requests that waited, not the one served at once: " + waits);
        assertEquals(512, waits.get(0).getLong("requestedBytes"));
        assertEquals(1, waits.get(0).getLong("waitersLeft"));
        assertEquals(1000, waits.get(1).getLong("requestedBytes"));
        assertTrue(waits.get(1).getDuration("waitNanos").toNanos() > 0);
        assertTrue(waits.get(0).getString("arena").startsWith("AsyncArena[capacity=1024"));
    }

    @Test
    void aRegisteredArenaIsReadableThroughJmx() {
        try (AsyncArena arena = AsyncArena.create(4096, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
             AllocatorMXBeans.Registration registration = AllocatorMXBeans.register("request budget", arena)) {
            assertEquals("io.nebula.memory:type=AsyncArena,name=\"request budget\"",
                    registration.objectName().toString());
            AsyncArenaMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                    registration.objectName(), AsyncArenaMXBean.class);
            Lease held = arena.lease(4000).join();
            CompletableFuture<Lease> waiting = arena.lease(100);
            assertEquals(4096, bean.getCapacityBytes());
            assertEquals(4032, bean.getLeasedBytes());
            assertEquals(1, bean.getWaiters());
            assertEquals(1, bean.getPeakWaiters());
            held.close();
            waiting.join().close();
            assertEquals(0, bean.getLeasedBytes());
            assertEquals(4032, bean.getPeakLeasedBytes());
            assertEquals(2, bean.getGrants());
            assertEquals(1, bean.getWaited());
            assertTrue(bean.getLongestWaitNanos() > 0);
            assertTrue(bean.getTotalWaitNanos() >= bean.getLongestWaitNanos());
            assertEquals(0, bean.getAbandoned());
            assertFalse(bean.isClosed());
            assertTrue(bean.getStatisticsJson().startsWith("{\"capacityBytes\":4096,\"leasedBytes\":0,"));
            assertEquals(arena.config().toJson(), bean.getConfigJson());
            assertTrue(bean.getDescription().startsWith("AsyncArena[capacity=4096"));
        }
    }
}
