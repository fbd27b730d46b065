package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Choices;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations on a pool, checked step by step against a plain model: which blocks are live, which open scope
 * took each, where the chunks are, how many blocks there are. Every region must lie in a chunk, at a block start,
 * aligned as asked, and overlap no live block; the counts must equal the model's; the stamp written into each live
 * block must be intact when it is given back, by hand or by its scope; a failed call must change nothing. Runs over
 * both implementations (confined and thread-safe, the latter from one thread), checked and unchecked, fixed and
 * growing. Seeded: rerun a failure with {@code -Dnebula.test.seed=<seed>}.
 */
class PoolAllocatorModelTest {

    static Stream<Arguments> pools() {
        PoolConfig growing = PoolConfig.defaults().withAllowGrowth(true).withLeakPolicy(LeakPolicy.IGNORE);
        PoolConfig threadSafe = growing.withThreadSafe(true);
        return Stream.of(
                Arguments.of("confined, fixed", 40, 8, 64, PoolConfig.defaults(), 400_000),
                Arguments.of("confined, growing up to maxBlocks", 24, 8, 16, growing.withMaxBlocks(100), 400_000),
                Arguments.of("confined, tracked, filled, over-aligned, growing", 100, 32, 8,
                        growing.withTrackStats(true).withFillPattern((byte) 0x5A), 250_000),
                Arguments.of("thread-safe, fixed", 40, 8, 64, PoolConfig.defaults().withThreadSafe(true), 250_000),
                Arguments.of("thread-safe, tracked, growing up to maxBlocks", 24, 8, 16,
                        threadSafe.withMaxBlocks(90).withTrackStats(true), 250_000),
                Arguments.of("thread-safe, one block per chunk", 16, 16, 1, threadSafe.withMaxBlocks(40), 100_000),
                Arguments.of("confined, checked, tracked, growing", 24, 8, 8,
                        growing.withChecked(true).withTrackStats(true).withMaxBlocks(60), 60_000),
                Arguments.of("thread-safe, checked, filled, growing", 32, 16, 8,
                        threadSafe.withChecked(true).withFillPattern((byte) 0x11).withMaxBlocks(40), 30_000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void randomOperationsAgreeWithAModel(String name, long blockSize, long blockAlignment, int blockCount,
                                         PoolConfig config, int steps) {
        new Run(name, blockSize, blockAlignment, blockCount, config).steps(Choices.operations(steps));
    }

    /** A chunk as the model knows it. */
    private record Chunk(int index, long base, long size, MemorySegment segment) { }

    /** An open scope as the model knows it. */
    private static final class OpenScope {
        final Scope scope;
        final List<Live> blocks = new ArrayList<>();

        OpenScope(Scope scope) {
            this.scope = scope;
        }
    }

    /** A live block: where it is, how it was handed out, the scope that took it, and the stamp written into it. */
    private static final class Live {
        final Chunk chunk;
        final long offset;
        final long handle;
        final MemorySegment segment;
        final long stamp;
        final OpenScope scope;
        int slot;

        Live(Chunk chunk, long offset, long handle, MemorySegment segment, long stamp, OpenScope scope) {
            this.chunk = chunk;
            this.offset = offset;
            this.handle = handle;
            this.segment = segment;
            this.stamp = stamp;
            this.scope = scope;
        }

        long address() {
            return chunk.base + offset;
        }

        long handleOfBlock() {
            return Handles.of(chunk.index, offset);
        }

        /** A segment handed out by a checked pool: its own memory, not the chunk's. */
        boolean isCheckedSegment() {
            return segment != null && segment.address() != address();
        }
    }

    /** One model-based run: a pool, its model, and the operations to drive both (also the fuzz target's body). */
    static final class Run {
        private final String name;
        private final String seed;
        private final Choices random;
        private final boolean longRun;
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
        private final List<OpenScope> scopes = new ArrayList<>();
        private final List<Scope> discarded = new ArrayList<>();
        private long totalBlocks;

        private long allocations;
        private long deallocations;
        private long failedAllocations;
        private long resets;
        private long scopesClosed;
        private long step;

        Run(String name, long blockSize, long blockAlignment, int blockCount, PoolConfig config) {
            this(name, blockSize, blockAlignment, blockCount, config,
                    Long.getLong("nebula.test.seed", ThreadLocalRandom.current().nextLong()));
        }

        private Run(String name, long blockSize, long blockAlignment, int blockCount, PoolConfig config, long seed) {
            this(name, blockSize, blockAlignment, blockCount, config, Choices.seeded(seed),
                    seed + " (rerun with -Dnebula.test.seed=" + seed + ")", true);
        }

        /**
         * A run whose operations {@code random} chooses; {@code seed} names it in failure messages; a long run checks
         * at the end that it exercised scopes, which a short fuzz input need not.
         */
        Run(String name, long blockSize, long blockAlignment, int blockCount, PoolConfig config, Choices random,
            String seed, boolean longRun) {
            this.name = name;
            this.longRun = longRun;
            this.random = random;
            this.seed = seed;
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
            assertEquals(config.threadSafe() ? SharedPool.class : ConfinedPool.class, pool.getClass());
            addChunk();
        }

        private Supplier<String> where(String what) {
            return where(() -> what);
        }

        private Supplier<String> where(Supplier<String> what) {
            return () -> what.get() + " [" + name + ", seed=" + seed + ", step=" + step + ", " + pool + "]";
        }

        void steps(int count) {
            try (pool; Arena foreign = Arena.ofConfined()) {
                MemorySegment stranger = foreign.allocate(blockSize, blockAlignment);
                int allocateBelow = 0;
                for (step = 0; step < count; step++) {
                    if (step % 4096 == 0) {
                        allocateBelow = 300 + 3_000 + 1_000 * random.nextInt(5);   // fill, drain or hover
                    }
                    int r = random.nextInt(10_000);
                    if (r < 3) {
                        reset();
                    } else if (r < 100) {
                        misuse(stranger);
                    } else if (r < 200) {
                        openScope();
                    } else if (r < 300) {
                        closeScope();
                    } else if (r < allocateBelow) {
                        allocate();
                    } else {
                        free();
                    }
                    checkCounts();
                }
                while (!scopes.isEmpty()) {
                    closeScope();
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
            int kind = random.nextInt(4);
            long size = switch (kind) {
                case 1 -> random.nextLong(blockSize + 1);
                case 3 -> 4;
                default -> blockSize;
            };
            long alignment = kind == 1 ? 1L << random.nextInt(Long.numberOfTrailingZeros(blockAlignment) + 1)
                    : kind == 3 ? 4 : blockAlignment;
            int value = random.nextInt();
            if (!canAllocate()) {
                if (random.nextInt(16) != 0) {
                    free();                                 // a full pool fails rarely: exceptions are slow
                    return;
                }
                AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, switch (kind) {
                    case 0 -> pool::allocateHandle;
                    case 1 -> () -> pool.allocate(size, alignment);
                    case 2 -> pool::allocate;
                    default -> () -> pool.allocateFrom(ValueLayout.JAVA_INT, value);
                });
                assertTrue(e.details().contains("all " + totalBlocks + " blocks"), where(e.getMessage()));
                failedAllocations++;
                return;
            }
            boolean mustGrow = liveList.size() == totalBlocks;
            long handle = -1;
            MemorySegment segment = null;
            if (kind == 0) {
                handle = pool.allocateHandle();
            } else {
                segment = switch (kind) {
                    case 1 -> pool.allocate(size, alignment);
                    case 2 -> pool.allocate();
                    default -> pool.allocateFrom(ValueLayout.JAVA_INT, value);
                };
                assertEquals(size, segment.byteSize(), where("the segment has the size asked for"));
                assertEquals(0, segment.address() % alignment, where(() -> "the segment is aligned to " + alignment));
                if (kind == 3) {
                    assertEquals(value, segment.get(ValueLayout.JAVA_INT, 0), where("allocateFrom wrote the value"));
                }
            }
            growIf(mustGrow);
            long blockHandle = handle >= 0 ? handle : handleOf(segment);
            Chunk chunk = chunks.get(Handles.chunk(blockHandle));
            long offset = PoolAllocator.offsetOf(blockHandle);
            assertTrue(offset + stride <= chunk.size, where("the block is inside its chunk"));
            if (handle >= 0) {
                assertEquals(chunk.segment, pool.segmentOf(handle), where("segmentOf names the handle's chunk"));
            }
            allocations++;
            long address = chunk.base + offset;
            assertEquals(0, offset % stride, where("the block starts at a block boundary"));
            Long below = live.floorKey(address);
            Long above = live.ceilingKey(address);
            assertTrue(below == null || below + stride <= address,
                    where(() -> "the block overlaps the live block at 0x" + Long.toHexString(below)));
            assertTrue(above == null || above >= address + stride,
                    where(() -> "the block overlaps the live block at 0x" + Long.toHexString(above)));
            if (config.fillPattern().isPresent()) {
                long written = kind == 3 && !pool.isChecked() ? 4 : 0;   // allocateFrom wrote into the block
                assertEquals(-1, chunk.segment.asSlice(offset + written, blockSize - written)
                        .mismatch(pattern.asSlice(written)), where("the block is filled with the pattern"));
            }
            long stamp = random.nextLong();
            chunk.segment.set(ValueLayout.JAVA_LONG, offset, stamp);
            OpenScope owner = scopes.isEmpty() ? null : scopes.getLast();
            Live block = new Live(chunk, offset, handle, segment, stamp, owner);
            if (owner != null) {
                owner.blocks.add(block);
            }
            block.slot = liveList.size();
            liveList.add(block);
            live.put(address, block);
        }

        /** The handle of the block behind a segment: by address, or from checked mode's records. */
        private long handleOf(MemorySegment segment) {
            if (pool.isChecked()) {
                CheckedBlocks.Entry entry = pool.checkedBlocks.find(segment);
                assertNotNull(entry, where("checked mode records every segment handed out"));
                return entry.handle();
            }
            Map.Entry<Long, Chunk> entry = chunksByBase.floorEntry(segment.address());
            assertNotNull(entry, where("the segment lies in a chunk"));
            return Handles.of(entry.getValue().index, segment.address() - entry.getKey());
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
            MemorySegment segment = pool.segmentOf(Handles.of(index, 0));
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
            Live block = removeLive(liveList.get(random.nextInt(liveList.size())));
            checkStamp(block);
            if (block.isCheckedSegment()) {
                pool.deallocate(block.segment);         // the only way back for a checked segment
            } else if (random.nextBoolean()) {
                pool.deallocateHandle(block.handleOfBlock());
            } else {
                pool.deallocate(block.segment != null ? block.segment
                        : block.chunk.segment.asSlice(block.offset, random.nextLong(blockSize + 1)));
            }
            deallocations++;
            checkGivenBack(block);
        }

        private void checkStamp(Live block) {
            assertEquals(block.stamp, block.chunk.segment.get(ValueLayout.JAVA_LONG, block.offset),
                    where(() -> "the stamp of the block at 0x" + Long.toHexString(block.address()) + " is intact"));
        }

        /** Forgets a block given back; in checked mode, its segment must be closed. */
        private void checkGivenBack(Live block) {
            if (block.isCheckedSegment()) {
                assertFalse(block.segment.scope().isAlive(), where("a checked segment given back is closed"));
                if (block.segment.byteSize() > 0) {
                    assertThrows(IllegalStateException.class, () -> block.segment.get(ValueLayout.JAVA_BYTE, 0),
                            where("a checked segment given back throws on access"));
                }
            }
            if (freed.size() < 64) {
                freed.add(block);
            } else {
                freed.set(random.nextInt(64), block);
            }
        }

        private Live removeLive(Live block) {
            Live last = liveList.removeLast();
            if (last != block) {
                last.slot = block.slot;
                liveList.set(block.slot, last);
            }
            live.remove(block.address());
            if (block.scope != null) {
                block.scope.blocks.remove(block);
            }
            return block;
        }

        private void openScope() {
            if (scopes.size() < 6) {
                scopes.add(new OpenScope(pool.scope()));
            }
        }

        private void closeScope() {
            if (!discarded.isEmpty() && random.nextInt(4) == 0) {
                Scope stale = discarded.removeLast();
                fails(ErrorCode.INVALID_CHECKPOINT, stale::close);
                assertFalse(stale.isClosed(), where("a scope that fails to close stays open"));
                return;
            }
            if (scopes.isEmpty()) {
                return;
            }
            if (scopes.size() > 1 && random.nextInt(8) == 0) {
                Scope outer = scopes.get(random.nextInt(scopes.size() - 1)).scope;
                fails(ErrorCode.INVALID_CHECKPOINT, outer::close);
                assertFalse(outer.isClosed(), where("an outer scope stays open"));
                return;
            }
            OpenScope innermost = scopes.removeLast();
            List<Live> blocks = new ArrayList<>(innermost.blocks);
            for (Live block : blocks) {
                checkStamp(block);
            }
            innermost.scope.close();
            assertTrue(innermost.scope.isClosed(), where("a scope closes"));
            innermost.scope.close();                    // closing again does nothing
            scopesClosed++;
            for (Live block : blocks) {
                removeLive(block);
                deallocations++;
                checkGivenBack(block);
            }
        }

        private void misuse(MemorySegment stranger) {
            switch (random.nextInt(pool.isChecked() ? 8 : 6)) {
                case 0 -> {
                    Live block = freed.isEmpty() ? null : freed.get(random.nextInt(freed.size()));
                    if (block == null || live.containsKey(block.address())) {
                        return;
                    }
                    fails(ErrorCode.DOUBLE_FREE, random.nextBoolean()
                            ? () -> pool.deallocate(block.chunk.segment.asSlice(block.offset, blockSize))
                            : () -> pool.deallocateHandle(block.handleOfBlock()));
                }
                case 1 -> {
                    if (liveList.isEmpty()) {
                        return;
                    }
                    Live block = liveList.get(random.nextInt(liveList.size()));
                    long inside = block.offset + 1 + random.nextLong(stride - 1);
                    fails(ErrorCode.FOREIGN_SEGMENT, random.nextBoolean()
                            ? () -> pool.deallocate(block.chunk.segment.asSlice(inside, 0))
                            : () -> pool.deallocateHandle(Handles.of(block.chunk.index, inside)));
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
                case 5 -> fails(ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(Handles.of(chunks.size(), 0)));
                case 6 -> {
                    Live block = freed.isEmpty() ? null : freed.get(random.nextInt(freed.size()));
                    if (block != null && block.isCheckedSegment()) {
                        fails(ErrorCode.USE_AFTER_FREE, () -> pool.deallocate(block.segment));
                    }
                }
                default -> {
                    Live block = liveList.isEmpty() ? null : liveList.get(random.nextInt(liveList.size()));
                    if (block != null && block.isCheckedSegment()) {
                        fails(ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(block.handleOfBlock()));
                    }
                }
            }
        }

        private void reset() {
            for (Live block : liveList) {
                checkStamp(block);
            }
            List<Live> all = new ArrayList<>(liveList);
            liveList.clear();
            live.clear();
            for (OpenScope scope : scopes) {
                discarded.add(scope.scope);
            }
            scopes.clear();
            pool.reset();
            for (Live block : all) {
                checkGivenBack(block);
            }
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
            assertEquals(scopes.size(), pool.openScopes(), where("open scopes"));
        }

        private void checkStatistics() {
            assertTrue(!longRun || scopesClosed > 0, where("scopes were exercised"));
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
