package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations on a pool, checked step by step against a plain model: which blocks are live, where the chunks
 * are, how many blocks there are. Every region must lie in a chunk, at a block start, aligned as asked, and
 * overlap no live block; the counts must equal the model's; the stamp written into each live block must be intact
 * when it is given back. Seeded: rerun a failure with {@code -Dnebula.test.seed=<seed>}.
 */
class PoolAllocatorModelTest {

    @Test
    void aFixedPool() {
        new Run("fixed", 40, 8, 64, PoolConfig.defaults()).steps(400_000);
    }

    @Test
    void aPoolGrowingUpToMaxBlocks() {
        new Run("bounded growth", 24, 8, 16, PoolConfig.defaults().withAllowGrowth(true).withMaxBlocks(100))
                .steps(400_000);
    }

    @Test
    void aTrackedFilledGrowingPoolOfOverAlignedBlocks() {
        PoolConfig config = PoolConfig.defaults().withAllowGrowth(true).withTrackStats(true)
                .withFillPattern((byte) 0x5A);
        new Run("tracked growth", 100, 32, 8, config).steps(250_000);
    }

    @Test
    void aThreadSafePoolUsedFromOneThreadBehavesAsAConfinedOne() {
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withAllowGrowth(true).withMaxBlocks(90)
                .withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        new Run("thread-safe growth", 24, 8, 16, config).steps(250_000);
    }

    @Test
    void aThreadSafePoolOfOneBlockPerChunk() {
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withAllowGrowth(true).withMaxBlocks(40)
                .withLeakPolicy(LeakPolicy.IGNORE);
        new Run("thread-safe, one block per chunk", 16, 16, 1, config).steps(100_000);
    }

    /** A chunk as the model knows it. */
    private record Chunk(int index, long base, long size, MemorySegment segment) { }

    /** A live block: where it is, how it was handed out, and the stamp written into it. */
    private static final class Live {
        final Chunk chunk;
        final long offset;
        final long handle;
        final MemorySegment segment;
        final long stamp;
        int slot;

        Live(Chunk chunk, long offset, long handle, MemorySegment segment, long stamp) {
            this.chunk = chunk;
            this.offset = offset;
            this.handle = handle;
            this.segment = segment;
            this.stamp = stamp;
        }

        long address() {
            return chunk.base + offset;
        }
    }

    private static final class Run {
        private final String name;
        private final long seed = Long.getLong("nebula.test.seed", ThreadLocalRandom.current().nextLong());
        private final SplittableRandom random = new SplittableRandom(seed);
        private final int blockCount;
        private final PoolConfig config;
        private final PoolAllocator pool;
        private final long blockSize;
        private final long stride;
        private final long blockAlignment;
        private final MemorySegment pattern;

        private final TreeMap<Long, Chunk> chunksByBase = new TreeMap<>();
        private final List<Chunk> chunks = new ArrayList<>();
        private final TreeMap<Long, Live> live = new TreeMap<>();
        private final List<Live> liveList = new ArrayList<>();
        private final List<Live> freed = new ArrayList<>();
        private long totalBlocks;

        private long allocations;
        private long deallocations;
        private long failedAllocations;
        private long resets;
        private long step;

        Run(String name, long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
            this.name = name;
            this.blockCount = blockCount;
            this.config = config;
            this.pool = PoolAllocator.create(blockSize, blockAlignment, blockCount, config);
            this.blockSize = blockSize;
            this.stride = pool.stride();
            this.blockAlignment = pool.blockAlignment();
            this.totalBlocks = blockCount;
            byte[] bytes = new byte[(int) blockSize];
            java.util.Arrays.fill(bytes, (byte) config.fillPattern().orElse(0));
            this.pattern = MemorySegment.ofArray(bytes);
            addChunk();
        }

        private Supplier<String> where(String what) {
            return where(() -> what);
        }

        private Supplier<String> where(Supplier<String> what) {
            return () -> what.get() + " [" + name + ", seed=" + seed + " (rerun with -Dnebula.test.seed=" + seed + "), step="
                    + step + ", " + pool + "]";
        }

        void steps(int count) {
            try (pool; Arena foreign = Arena.ofConfined()) {
                MemorySegment stranger = foreign.allocate(blockSize, blockAlignment);
                int allocateBelow = 0;
                for (step = 0; step < count; step++) {
                    if (step % 4096 == 0) {
                        allocateBelow = 100 + 3_000 + 1_000 * random.nextInt(5);   // fill, drain or hover
                    }
                    int r = random.nextInt(10_000);
                    if (r < 3) {
                        reset();
                    } else if (r < 100) {
                        misuse(stranger);
                    } else if (r < allocateBelow) {
                        allocate();
                    } else {
                        free();
                    }
                    checkCounts();
                }
                while (!liveList.isEmpty()) {
                    free();
                }
                checkCounts();
                assertEquals(0, pool.usedBytes(), where("every block is back"));
                checkStatistics();
            }
        }

        private boolean canAllocate() {
            return liveList.size() < totalBlocks || (config.allowGrowth() && totalBlocks < config.maxBlocks());
        }

        private void allocate() {
            int kind = random.nextInt(3);
            long size = kind == 1 ? random.nextLong(blockSize + 1) : blockSize;
            long alignment = kind == 1 ? 1L << random.nextInt(Long.numberOfTrailingZeros(blockAlignment) + 1)
                    : blockAlignment;
            if (!canAllocate()) {
                if (random.nextInt(16) != 0) {
                    free();                                 // a full pool fails rarely: exceptions are slow
                    return;
                }
                AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, switch (kind) {
                    case 0 -> pool::allocateHandle;
                    case 1 -> () -> pool.allocate(size, alignment);
                    default -> pool::allocate;
                });
                assertTrue(e.details().contains("all " + totalBlocks + " blocks"), where(e.getMessage()));
                failedAllocations++;
                return;
            }
            boolean mustGrow = liveList.size() == totalBlocks;
            Chunk chunk;
            long offset;
            long handle = -1;
            MemorySegment segment = null;
            if (kind == 0) {
                handle = pool.allocateHandle();
                growIf(mustGrow);
                chunk = chunks.get((int) (handle >>> PoolAllocator.CHUNK_SHIFT));
                offset = PoolAllocator.offsetOf(handle);
                assertTrue(offset < chunk.size, where(() -> "the handle is inside its chunk"));
                assertEquals(chunk.segment, pool.segmentOf(handle), where("segmentOf names the handle's chunk"));
            } else {
                segment = kind == 1 ? pool.allocate(size, alignment) : pool.allocate();
                growIf(mustGrow);
                assertEquals(size, segment.byteSize(), where("the segment has the size asked for"));
                Map.Entry<Long, Chunk> entry = chunksByBase.floorEntry(segment.address());
                assertNotNull(entry, where("the segment lies in a chunk"));
                chunk = entry.getValue();
                offset = segment.address() - chunk.base;
                assertTrue(offset + size <= chunk.size, where("the segment lies in a chunk"));
            }
            allocations++;
            long address = chunk.base + offset;
            assertEquals(0, offset % stride, where("the region starts at a block"));
            assertEquals(0, address % alignment, where(() -> "the region is aligned to " + alignment));
            Long below = live.floorKey(address);
            Long above = live.ceilingKey(address);
            assertTrue(below == null || below + stride <= address,
                    where(() -> "the block overlaps the live block at 0x" + Long.toHexString(below)));
            assertTrue(above == null || above >= address + stride,
                    where(() -> "the block overlaps the live block at 0x" + Long.toHexString(above)));
            if (config.fillPattern().isPresent()) {
                assertEquals(-1, chunk.segment.asSlice(offset, blockSize).mismatch(pattern),
                        where("the block is filled with the pattern"));
            }
            long stamp = random.nextLong();
            chunk.segment.set(ValueLayout.JAVA_LONG, offset, stamp);
            Live block = new Live(chunk, offset, handle, segment, stamp);
            block.slot = liveList.size();
            liveList.add(block);
            live.put(address, block);
        }

        private void growIf(boolean mustGrow) {
            if (mustGrow) {
                totalBlocks += Math.min(blockCount, config.maxBlocks() - totalBlocks);
                addChunk();
            }
            assertEquals(chunks.size(), pool.chunkCount(), where("the pool grows exactly when it is full"));
        }

        private void addChunk() {
            int index = chunks.size();
            MemorySegment segment = pool.segmentOf((long) index << PoolAllocator.CHUNK_SHIFT);
            Chunk chunk = new Chunk(index, segment.address(), segment.byteSize(), segment);
            Map.Entry<Long, Chunk> below = chunksByBase.floorEntry(chunk.base);
            Map.Entry<Long, Chunk> above = chunksByBase.ceilingEntry(chunk.base);
            assertTrue(below == null || below.getKey() + below.getValue().size <= chunk.base, where("chunks overlap"));
            assertTrue(above == null || above.getKey() >= chunk.base + chunk.size, where("chunks overlap"));
            chunks.add(chunk);
            chunksByBase.put(chunk.base, chunk);
        }

        private void free() {
            if (liveList.isEmpty()) {
                return;
            }
            Live block = removeLive(random.nextInt(liveList.size()));
            assertEquals(block.stamp, block.chunk.segment.get(ValueLayout.JAVA_LONG, block.offset),
                    where(() -> "the stamp of the block at 0x" + Long.toHexString(block.address()) + " is intact"));
            boolean byHandle = random.nextBoolean();
            if (byHandle) {
                pool.deallocateHandle(block.handle >= 0 ? block.handle
                        : (long) block.chunk.index << PoolAllocator.CHUNK_SHIFT | block.offset);
            } else {
                pool.deallocate(block.segment != null ? block.segment
                        : block.chunk.segment.asSlice(block.offset, random.nextLong(blockSize + 1)));
            }
            deallocations++;
            remember(block);
        }

        private Live removeLive(int slot) {
            Live block = liveList.get(slot);
            Live last = liveList.removeLast();
            if (last != block) {
                last.slot = slot;
                liveList.set(slot, last);
            }
            live.remove(block.address());
            return block;
        }

        private void remember(Live block) {
            if (freed.size() < 64) {
                freed.add(block);
            } else {
                freed.set(random.nextInt(64), block);
            }
        }

        private void misuse(MemorySegment stranger) {
            switch (random.nextInt(6)) {
                case 0 -> {
                    Live block = freed.isEmpty() ? null : freed.get(random.nextInt(freed.size()));
                    if (block == null || live.containsKey(block.address())) {
                        return;
                    }
                    fails(ErrorCode.DOUBLE_FREE, random.nextBoolean()
                            ? () -> pool.deallocate(block.chunk.segment.asSlice(block.offset, blockSize))
                            : () -> pool.deallocateHandle((long) block.chunk.index << PoolAllocator.CHUNK_SHIFT
                                    | block.offset));
                }
                case 1 -> {
                    if (liveList.isEmpty()) {
                        return;
                    }
                    Live block = liveList.get(random.nextInt(liveList.size()));
                    long inside = block.offset + 1 + random.nextLong(stride - 1);
                    fails(ErrorCode.FOREIGN_SEGMENT, random.nextBoolean()
                            ? () -> pool.deallocate(block.chunk.segment.asSlice(inside, 0))
                            : () -> pool.deallocateHandle((long) block.chunk.index << PoolAllocator.CHUNK_SHIFT
                                    | inside));
                }
                case 2 -> fails(ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocate(stranger));
                case 3 -> {
                    fails(ErrorCode.INVALID_SIZE, () -> pool.allocate(blockSize + 1 + random.nextInt(64), 1));
                    failedAllocations++;
                }
                case 4 -> {
                    fails(ErrorCode.INVALID_ALIGNMENT, () -> pool.allocate(1, blockAlignment << 1));
                    failedAllocations++;
                }
                default -> fails(ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocateHandle((long) chunks.size() << PoolAllocator.CHUNK_SHIFT));
            }
        }

        private void reset() {
            for (Live block : liveList) {
                assertEquals(block.stamp, block.chunk.segment.get(ValueLayout.JAVA_LONG, block.offset),
                        where(() -> "the stamp of the block at 0x" + Long.toHexString(block.address()) + " is intact"));
                remember(block);
            }
            liveList.clear();
            live.clear();
            pool.reset();
            resets++;
        }

        private AllocationException fails(ErrorCode code, Executable call) {
            PoolState before = PoolState.of(pool);
            AllocationException e = assertThrows(AllocationException.class, call, where(code + " expected"));
            assertEquals(code, e.code(), where(e.getMessage()));
            assertEquals(before, PoolState.of(pool), where("a failed call must leave the pool as it was"));
            return e;
        }

        private void checkCounts() {
            long inUse = liveList.size();
            assertEquals(inUse * stride, pool.usedBytes(), where("used bytes"));
            assertEquals((totalBlocks - inUse) * stride, pool.availableBytes(), where("available bytes"));
            assertEquals(totalBlocks, pool.blockCount(), where("block count"));
            assertEquals(totalBlocks - inUse, pool.freeBlocks(), where("free blocks"));
        }

        private void checkStatistics() {
            if (!config.trackStats()) {
                return;
            }
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(allocations, stats.allocations(), where("allocations"));
            assertEquals(deallocations, stats.deallocations(), where("deallocations"));
            assertEquals(failedAllocations, stats.failedAllocations(), where("failed allocations"));
            assertEquals(resets, stats.resets(), where("resets"));
            assertEquals(chunks.size() - 1, stats.growths(), where("growths"));
            assertEquals(0, stats.currentBytes(), where("current bytes"));
        }
    }
}
