package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import org.junit.jupiter.api.Test;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing gives back every byte: the store's own accounting says zero, and Native Memory Tracking (the test JVM runs
 * with {@code -XX:NativeMemoryTracking=summary}) sees the FFM memory ("Other") return to where it was.
 */
class LeakTest {

    private static final Pattern OTHER = Pattern.compile("Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private static long otherCommittedKb() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String summary = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmNativeMemory", new Object[] {new String[] {"summary"}},
                    new String[] {String[].class.getName()});
            Matcher m = OTHER.matcher(summary);
            if (!m.find()) {
                throw new IllegalStateException("run with -XX:NativeMemoryTracking=summary: " + summary);
            }
            return Long.parseLong(m.group(2));
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fillAndClose(StoreConfig config) {
        CompressedStore store = CompressedStore.create(config);
        List<Long> handles = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            handles.add(store.put(DataSets.values()[i % 4].generate(128 * 1024, i)));
        }
        try (Arena arena = Arena.ofConfined()) {
            store.get(handles.getFirst(), arena);
        }
        for (int i = 0; i < handles.size(); i += 3) {
            store.free(handles.get(i));
        }
        assertTrue(store.capacityBytes() > 2 << 20, () -> "reserved " + store.capacityBytes());
        store.close();
        assertEquals(0, store.capacityBytes());
        assertEquals(0, store.usedBytes());
    }

    @Test
    void closingFreesEveryByte() {
        for (int warm = 0; warm < 2; warm++) {
            fillAndClose(StoreConfig.defaults());
        }
        long before = otherCommittedKb();
        for (int round = 0; round < 5; round++) {
            fillAndClose(StoreConfig.defaults());
            fillAndClose(StoreConfig.defaults().withThreadSafe(true).withCodec(Codec.DEFLATE));
            try (BumpAllocator arena = BumpAllocator.create(1 << 20); Arena memory = Arena.ofConfined()) {
                arena.allocate(900_000).fill((byte) 3);
                Snapshot snapshot = Snapshot.take(arena, Codec.SNAPPY, memory);
                arena.reset();
                snapshot.restore(arena);
            }
        }
        long after = otherCommittedKb();
        // Each round reserves more than 10 MiB; a leak of any of it would show. 512 KB allows for the JDK's own.
        assertTrue(after - before < 512, () -> "FFM memory grew from " + before + " KB to " + after + " KB");
    }
}
