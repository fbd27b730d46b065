package io.nebula.memory.benchmarks;

import java.lang.foreign.MemorySegment;

/**
 * The least a bump allocator can do, as a reference for what the library's checks and options cost when they are
 * off: an alignment round-up, a bounds check, a store and a slice. No owner, no statistics, no checked mode, no
 * fill, no error messages.
 */
final class MinimalBump {

    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private long top;

    MinimalBump(MemorySegment memory) {
        this.memory = memory;
        this.base = memory.address();
        this.capacity = memory.byteSize();
    }

    MemorySegment allocate(long byteSize, long byteAlignment) {
        long start = ((base + top + byteAlignment - 1) & -byteAlignment) - base;
        if (byteSize > capacity - start) {
            throw new IndexOutOfBoundsException("full");
        }
        top = start + byteSize;
        return memory.asSlice(start, byteSize);
    }

    long usedBytes() {
        return top;
    }

    void reset() {
        top = 0;
    }
}
