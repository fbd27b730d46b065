package io.nebula.memory.compression;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Freed blocks come back as memory: chunks are reset, spared, closed or compacted, and handles survive moves. */
class CompactionTest {

    private static final long CHUNK = 64 * 1024;

    @Test
    void freeingEveryOtherBlockCompactsAndKeepsTheRestIntact() {
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withChunkBytes(CHUNK));
             Arena arena = Arena.ofConfined()) {
            List<Long> handles = new ArrayList<>();
            List<MemorySegment> data = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                MemorySegment d = DataSets.TEXT.generate(2000 + i, i);
                data.add(d);
                handles.add(store.put(d));
            }
            long reservedFull = store.capacityBytes();
            for (int i = 0; i < 400; i += 2) {
                store.free(handles.get(i));
            }
            StoreStatistics stats = store.statistics();
            assertTrue(stats.compactions() > 0, stats::toJson);
            assertTrue(stats.bytesMoved() > 0, stats::toJson);
            assertTrue(store.capacityBytes() < reservedFull, () -> store.capacityBytes() + " of " + reservedFull);
            assertTrue(store.usedBytes() <= 2 * align(stats.liveStoredBytes()) + 2 * CHUNK, stats::toJson);
            for (int i = 1; i < 400; i += 2) {
                assertEquals(-1, data.get(i).mismatch(store.get(handles.get(i), arena)), "block " + i);
            }
        }
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    @Test
    void randomPutsAndFreesKeepMemoryWithinTwiceTheLiveBlocks() {
        SplittableRandom random = new SplittableRandom(42);
        Map<Long, MemorySegment> live = new HashMap<>();
        List<Long> order = new ArrayList<>();
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withChunkBytes(CHUNK));
             Arena arena = Arena.ofConfined()) {
            for (int step = 0; step < 20_000; step++) {
                if (live.isEmpty() || random.nextInt(100) < 55) {
                    DataSets kind = DataSets.values()[random.nextInt(DataSets.values().length)];
                    MemorySegment d = kind.generate(random.nextInt(0, 6000), step);
                    long h = store.put(d);
                    live.put(h, d);
                    order.add(h);
                } else {
                    int at = random.nextInt(order.size());
                    long h = order.get(at);
                    order.set(at, order.getLast());
                    order.removeLast();
                    assertEquals(-1, live.remove(h).mismatch(store.get(h, arena)), "step " + step);
                    store.free(h);
                }
                StoreStatistics stats = store.statistics();
                assertEquals(live.size(), stats.liveBlocks());
                long bound = 2 * align(stats.liveStoredBytes()) + 2 * CHUNK + live.size() * 8L;
                assertTrue(store.usedBytes() <= bound, () -> "used " + store.usedBytes() + " > " + bound);
                assertTrue(store.capacityBytes() <= 2 * stats.liveStoredBytes() + 3 * CHUNK + live.size() * 8L,
                        stats::toJson);
            }
            for (Map.Entry<Long, MemorySegment> e : live.entrySet()) {
                assertEquals(-1, e.getValue().mismatch(store.get(e.getKey(), arena)));
                store.free(e.getKey());
            }
            assertEquals(0, store.statistics().liveBlocks());
            assertTrue(store.capacityBytes() <= 2 * CHUNK, () -> "after freeing all: " + store.capacityBytes());
        }
    }

    @Test
    void largeBlocksGetAnArenaOfTheirOwnAndGiveItBack() {
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withChunkBytes(CHUNK))) {
            long small = store.put(DataSets.TEXT.generate(1000, 1));
            long reserved = store.capacityBytes();
            long large = store.put(DataSets.RANDOM.generate(100_000, 1));
            assertEquals(reserved + align(100_000 + BlockFormat.HEADER_BYTES), store.capacityBytes());
            store.free(large);
            assertEquals(reserved, store.capacityBytes());
            store.free(small);
            assertEquals(CHUNK, store.capacityBytes(), "the current chunk is kept, reset");
            assertEquals(0, store.usedBytes());
        }
    }
}
