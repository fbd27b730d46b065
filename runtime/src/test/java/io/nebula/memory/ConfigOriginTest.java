package io.nebula.memory;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A configuration's origin changes the words of its allocator's suggestions, and nothing else: written in code, they
 * name the factory or config method; generated from {@code @Allocator}, the attribute to change on the class, and
 * nothing the annotation cannot express.
 */
class ConfigOriginTest {

    private static final ConfigOrigin HANDLER = ConfigOrigin.allocatorAnnotation("app.RequestHandler");

    @Test
    void codeIsTheDefaultAndWithersKeepTheOrigin() {
        assertEquals(ConfigOrigin.code(), BumpConfig.defaults().origin());
        assertEquals(ConfigOrigin.code(), PoolConfig.defaults().origin());
        assertEquals(ConfigOrigin.code(), StackConfig.defaults().origin());
        assertEquals(HANDLER, BumpConfig.defaults().withOrigin(HANDLER).withTrackStats(true).withChecked(true).origin());
        assertEquals(HANDLER, PoolConfig.defaults().withOrigin(HANDLER).withAllowGrowth(true).origin());
        assertEquals(HANDLER, StackConfig.defaults().withOrigin(HANDLER).withZeroOnRelease(true).origin());
        assertEquals(Optional.of("app.RequestHandler"), HANDLER.annotatedClass());
        assertEquals(Optional.empty(), ConfigOrigin.code().annotatedClass());
        assertEquals("@Allocator on app.RequestHandler", HANDLER.toString());
    }

    @Test
    void anAnnotatedClassMustBeNamed() {
        assertThrows(IllegalArgumentException.class, () -> ConfigOrigin.allocatorAnnotation(" "));
        assertThrows(NullPointerException.class, () -> ConfigOrigin.allocatorAnnotation(null));
        assertThrows(NullPointerException.class, () -> BumpConfig.defaults().withOrigin(null));
    }

    @Test
    void aFullArenaNamesTheSizeAttributeAndNoGrowth() {
        try (BumpAllocator arena = BumpAllocator.create(64, BumpConfig.defaults().withOrigin(HANDLER))) {
            arena.allocate(48, 8);
            AllocationException e = assertThrows(AllocationException.class, () -> arena.allocate(32, 8));
            assertEquals(List.of("Raise @Allocator(size = 80) on app.RequestHandler.",
                    "Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed."),
                    e.suggestions());
            e = assertThrows(AllocationException.class, () -> arena.allocate(100, 8));
            assertEquals(List.of("The request is larger than the whole arena (64 bytes): raise @Allocator(size = 100)"
                    + " on app.RequestHandler, or allocate this object elsewhere."), e.suggestions());
        }
    }

    @Test
    void theSameArenaWrittenInCodeNamesTheFactory() {
        try (BumpAllocator arena = BumpAllocator.create(64)) {
            arena.allocate(48, 8);
            AllocationException e = assertThrows(AllocationException.class, () -> arena.allocate(32, 8));
            assertEquals("Increase the capacity to at least 80 bytes (BumpAllocator.create(80)).",
                    e.suggestions().getFirst());
            assertEquals(3, e.suggestions().size(), "and growth, which code can ask for");
        }
    }

    @Test
    void aFullPoolNamesTheBlockCountAndNoGrowth() {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 2, PoolConfig.defaults().withOrigin(HANDLER))) {
            pool.allocate();
            pool.allocate();
            AllocationException e = assertThrows(AllocationException.class, pool::allocate);
            assertEquals(List.of("Raise @Allocator(blockCount = 4) on app.RequestHandler.",
                    "Give blocks back with deallocate or deallocateHandle, or call reset(), when they are no longer"
                            + " needed."), e.suggestions());
            pool.reset();
        }
    }

    @Test
    void aFullStackNamesTheSizeAttribute() {
        try (StackAllocator stack = StackAllocator.create(64, StackConfig.defaults().withOrigin(HANDLER))) {
            try (Scope _ = stack.scope()) {
                stack.allocate(48, 8);
                AllocationException e = assertThrows(AllocationException.class, () -> stack.allocate(32, 8));
                assertEquals("Raise @Allocator(size = 80) on app.RequestHandler, or more if the stack can get deeper"
                        + " than it is now.", e.suggestions().getFirst());
            }
        }
    }
}
