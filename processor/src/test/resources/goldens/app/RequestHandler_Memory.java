package app;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.Scope;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import javax.annotation.processing.Generated;

/**
 * {@link RequestHandler} with its own {@link BumpAllocator}: 4096 bytes.
 *
 * <p>Create it with {@code create(...)}, one per constructor of {@code RequestHandler}, and close it to free
 * the native memory. A {@code @MemoryScope} method opens a {@link Scope} of the allocator on entry and closes it
 * on exit, releasing everything the call allocated.
 *
 * <p>Confined to the thread that created it.
 */
@Generated("io.nebula.memory.processor.NebulaProcessor")
public final class RequestHandler_Memory extends RequestHandler implements AutoCloseable {
    private final BumpAllocator allocator;

    private RequestHandler_Memory(BumpAllocator allocator, String name) {
        this.allocator = allocator;
        super(name);
    }

    private RequestHandler_Memory(BumpAllocator allocator) {
        this.allocator = allocator;
        super();
    }

    /**
     * Creates a new allocator of 4096 bytes, then the object through
     * {@link RequestHandler#RequestHandler(java.lang.String)};
     * closes the allocator again if the constructor throws.
     *
     * @param name as for the constructor
     * @return the new object, owning its allocator; close it to free the native memory
     */
    public static RequestHandler_Memory create(String name) {
        BumpAllocator allocator = newAllocator();
        try {
            return new RequestHandler_Memory(allocator, name);
        } catch (Throwable failure) {
            allocator.close();
            throw failure;
        }
    }

    /**
     * Creates a new allocator of 4096 bytes, then the object through
     * {@link RequestHandler#RequestHandler()};
     * closes the allocator again if the constructor throws.
     *
     * @return the new object, owning its allocator; close it to free the native memory
     */
    static RequestHandler_Memory create() {
        BumpAllocator allocator = newAllocator();
        try {
            return new RequestHandler_Memory(allocator);
        } catch (Throwable failure) {
            allocator.close();
            throw failure;
        }
    }

    private static BumpAllocator newAllocator() {
        return BumpAllocator.create(4096L, BumpConfig.defaults().withTrackStats(true)
                .withOrigin(ConfigOrigin.allocatorAnnotation("app.RequestHandler")));
    }

    /**
     * The allocator this object owns, for its statistics, its usage or direct allocation.
     *
     * @return the allocator, closed with this object
     */
    public BumpAllocator allocator() {
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
    protected PointStruct.View newPoint() {
        return PointStruct.allocate(allocator);
    }

    @Override
    protected PointStruct.View newPoint(int x, int y) {
        return PointStruct.allocate(allocator).x(x).y(y);
    }

    @Override
    protected PointStruct.View newPoint(Point value) {
        return PointStruct.allocate(allocator, value);
    }

    @Override
    protected PointStruct.View points() {
        return PointStruct.view(PointStruct.allocateArray(allocator, 10L));
    }

    @Override
    protected MemorySegment scratch() {
        return allocator.allocate(256L, 16L).fill((byte) 0);
    }

    @Override
    public int handle(byte[] request) {
        try (Scope _ = allocator.scope()) {
            return super.handle(request);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T extends Comparable<T>> void visit(T first, T... rest) throws IOException {
        try (Scope _ = allocator.scope()) {
            super.visit(first, rest);
        }
    }
}
