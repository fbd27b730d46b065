package app;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.Scope;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;
import javax.annotation.processing.Generated;

/**
 * {@link Parser} with its own {@link StackAllocator}: 1024 bytes.
 *
 * <p>Create it with {@code create(...)}, one per constructor of {@code Parser}, and close it to free
 * the native memory. A {@code @MemoryScope} method opens a {@link Scope} of the allocator on entry and closes it
 * on exit, releasing everything the call allocated.
 *
 * <p>Confined to the thread that created it.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class Parser_Memory extends Parser implements AutoCloseable {
    private final StackAllocator allocator;

    private Parser_Memory(StackAllocator allocator) {
        this.allocator = allocator;
        super();
    }

    /**
     * Creates a new allocator of 1024 bytes, then the object through
     * {@link Parser#Parser()};
     * closes the allocator again if the constructor throws.
     *
     * @return the new object, owning its allocator; close it to free the native memory
     */
    public static Parser_Memory create() {
        StackAllocator allocator = newAllocator();
        try {
            return new Parser_Memory(allocator);
        } catch (Throwable failure) {
            allocator.close();
            throw failure;
        }
    }

    private static StackAllocator newAllocator() {
        return StackAllocator.create(1024L, StackConfig.defaults().withFillPattern((byte) 0xAA)
                .withOrigin(ConfigOrigin.allocatorAnnotation("app.Parser")));
    }

    /**
     * The allocator this object owns, for its statistics, its usage or direct allocation.
     *
     * @return the allocator, closed with this object
     */
    public StackAllocator allocator() {
        return allocator;
    }

    /**
     * Frees the allocator's native memory. Memory allocated through this object must not be used
     * afterwards; closing again does nothing.
     */
    @Override
    public void close() {
        allocator.close();
    }

    @Override
    PointStruct.View token(int x) {
        return PointStruct.allocate(allocator).x(x);
    }

    @Override
    public void parse(String allocator) {
        try (Scope _ = this.allocator.scope()) {
            super.parse(allocator);
        }
    }
}
