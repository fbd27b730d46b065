package io.nebula.memory.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the system refuse native memory, for tests of what an allocator does then: while open, every allocation of
 * native memory the runtime makes after the first {@code allowed} ones throws the {@link OutOfMemoryError} that
 * {@link Arena#allocate(long, long)} throws when {@code malloc} fails. Replaces {@link NativeMemory}'s source, which
 * only this package can reach; close it (try-with-resources) to give the system back.
 */
public final class SystemRefusal implements AutoCloseable {

    private final AtomicInteger allowed;
    private final AtomicInteger refusals = new AtomicInteger();

    private SystemRefusal(int allowed) {
        this.allowed = new AtomicInteger(allowed);
    }

    /**
     * Refuses every native allocation from now on.
     *
     * @return the refusal, to close
     */
    public static SystemRefusal refuseAll() {
        return refuseAfter(0);
    }

    /**
     * Lets {@code allowed} native allocations through, then refuses every later one.
     *
     * @param allowed how many allocations still succeed
     * @return the refusal, to close
     */
    public static SystemRefusal refuseAfter(int allowed) {
        SystemRefusal refusal = new SystemRefusal(allowed);
        NativeMemory.source = refusal::allocate;
        return refusal;
    }

    private MemorySegment allocate(Arena arena, long bytes, long alignment) {
        if (allowed.getAndDecrement() > 0) {
            return NativeMemory.SYSTEM.allocate(arena, bytes, alignment);
        }
        refusals.incrementAndGet();
        // The JDK's own message when malloc returns NULL (jdk.internal.misc.Unsafe.allocateMemory).
        throw new OutOfMemoryError("Unable to allocate " + bytes + " bytes");
    }

    /**
     * Returns how many allocations were refused.
     *
     * @return the refusals so far
     */
    public int refusals() {
        return refusals.get();
    }

    @Override
    public void close() {
        NativeMemory.source = NativeMemory.SYSTEM;
    }
}
