package app;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.Scope;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import javax.annotation.processing.Generated;

/**
 * {@link Particles} with its own {@link PoolAllocator}: 64 blocks of 8 bytes (one Point each).
 *
 * <p>Create it with {@code create(...)}, one per constructor of {@code Particles}, and close it to free
 * the native memory. A {@code @MemoryScope} method opens a {@link Scope} of the pool on entry and closes it on
 * exit, giving back every block the calling thread took in the call.
 *
 * <p>Confined to the thread that created it.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
final class Particles_Memory extends Particles implements AutoCloseable {
    private final PoolAllocator allocator;

    private Particles_Memory(PoolAllocator allocator) {
        this.allocator = allocator;
        super();
    }

    /**
     * Creates a new allocator of 64 blocks of 8 bytes (one Point each), then the object through
     * {@link Particles#Particles()};
     * closes the allocator again if the constructor throws.
     *
     * @return the new object, owning its allocator; close it to free the native memory
     */
    static Particles_Memory create() {
        PoolAllocator allocator = newAllocator();
        try {
            return new Particles_Memory(allocator);
        } catch (Throwable failure) {
            allocator.close();
            throw failure;
        }
    }

    private static PoolAllocator newAllocator() {
        return PoolAllocator.create(PointStruct.SIZE, PointStruct.ALIGNMENT, 64, PoolConfig.defaults()
                .withOrigin(ConfigOrigin.allocatorAnnotation("app.Particles")));
    }

    /**
     * The allocator this object owns, for its statistics, its usage or direct allocation.
     *
     * @return the allocator, closed with this object
     */
    @Override
    public PoolAllocator allocator() {
        return allocator;
    }

    /** Runs {@link Particles#close()}, then frees the allocator's native memory whatever it throws. */
    @Override
    public void close() {
        try {
            super.close();
        } finally {
            allocator.close();
        }
    }

    @Override
    PointStruct.View spawn(int x, int y) {
        return PointStruct.allocate(allocator).x(x).y(y);
    }

    @Override
    long step(int n) {
        try (Scope _ = allocator.scope()) {
            return super.step(n);
        }
    }
}
