package io.nebula.memory.compression;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The thread-safe store under real threads: puts, gets and frees at once, shared handles, exact counters. */
class SharedStoreTest {

    private static final int THREADS = 4;
    private static final int OPERATIONS = 3000;

    @Test
    void threadsPutGetAndFreeAtOnce() throws Exception {
        MemorySegment[] shared = new MemorySegment[16];
        long[] sharedHandles = new long[shared.length];
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withThreadSafe(true)
                .withChunkBytes(64 * 1024))) {
            for (int i = 0; i < shared.length; i++) {
                shared[i] = DataSets.STRUCTS.generate(4096, i);
                sharedHandles[i] = store.put(shared[i]);
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] puts = new long[THREADS];
            long[] gets = new long[THREADS];
            long[] bytesIn = new long[THREADS];
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().name("worker-" + t).start(() -> {
                    SplittableRandom random = new SplittableRandom(id);
                    List<long[]> mine = new ArrayList<>();
                    List<MemorySegment> mineData = new ArrayList<>();
                    try (Arena arena = Arena.ofConfined()) {
                        start.await();
                        for (int op = 0; op < OPERATIONS; op++) {
                            int choice = random.nextInt(10);
                            if (choice < 4 || mine.isEmpty()) {
                                MemorySegment d = DataSets.values()[op % 4].generate(random.nextInt(1, 5000),
                                        id * 1_000_000L + op);
                                mine.add(new long[] {store.put(d)});
                                mineData.add(d);
                                puts[id]++;
                                bytesIn[id] += d.byteSize();
                            } else if (choice < 7) {
                                int s = random.nextInt(shared.length);
                                if (shared[s].mismatch(store.get(sharedHandles[s], arena)) != -1) {
                                    throw new AssertionError("shared block " + s + " read wrong");
                                }
                                gets[id]++;
                            } else {
                                int i = random.nextInt(mine.size());
                                long h = mine.get(i)[0];
                                if (mineData.get(i).mismatch(store.get(h, arena)) != -1) {
                                    throw new AssertionError("own block read wrong");
                                }
                                gets[id]++;
                                store.free(h);
                                mine.remove(i);
                                mineData.remove(i);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            StoreStatistics stats = store.statistics();
            long totalPuts = shared.length;
            long totalGets = 0;
            long totalIn = shared.length * 4096L;
            for (int t = 0; t < THREADS; t++) {
                totalPuts += puts[t];
                totalGets += gets[t];
                totalIn += bytesIn[t];
            }
            assertEquals(totalPuts, stats.puts());
            assertEquals(totalGets, stats.gets());
            assertEquals(totalIn, stats.bytesIn());
            assertEquals(stats.puts() - stats.frees(), stats.liveBlocks());
            try (Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < shared.length; i++) {
                    assertEquals(-1, shared[i].mismatch(store.get(sharedHandles[i], arena)));
                }
            }
        }
    }

    @Test
    void handlesMoveBetweenThreadsAndCloseWaitsForNoOne() throws Exception {
        CompressedStore store = CompressedStore.create(StoreConfig.defaults().withThreadSafe(true));
        MemorySegment text = DataSets.TEXT.generate(10_000, 1);
        long[] handle = new long[1];
        Thread producer = Thread.ofPlatform().start(() -> handle[0] = store.put(text));
        producer.join();
        CountDownLatch read = new CountDownLatch(1);
        AtomicReference<MemorySegment> back = new AtomicReference<>();
        Thread consumer = Thread.ofPlatform().start(() -> {
            back.set(store.get(handle[0], Arena.ofAuto()));
            read.countDown();
        });
        read.await();
        consumer.join();
        assertEquals(-1, text.mismatch(back.get()));
        store.free(handle[0]);
        store.close();
        assertTrue(store.isClosed());
        assertEquals(CompressionError.CLOSED, assertThrows(CompressionException.class, () -> store.put(text)).code());
        assertEquals(0, store.capacityBytes());
    }
}
