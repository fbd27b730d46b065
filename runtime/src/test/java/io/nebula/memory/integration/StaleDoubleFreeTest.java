package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stale double free: a segment given back, its memory handed out again, and the old segment given back a second
 * time. Checked mode detects it on the pool and the stack (the old segment's own arena is closed) and leaves the new
 * owner's allocation live; unchecked mode cannot tell the two apart (same address, same size), nor can checked mode
 * for pool handles and stack offsets, which are plain numbers: SAFETY.md says so.
 */
class StaleDoubleFreeTest {

    static Stream<Variants.Variant> checkedPoolsAndStacks() {
        return Stream.concat(Variants.pools(), Variants.stacks()).filter(Variants.Variant::checked);
    }

    static Stream<Variants.Variant> uncheckedPoolsAndStacks() {
        return Stream.concat(Variants.pools(), Variants.stacks()).filter(v -> !v.checked());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkedPoolsAndStacks")
    void checkedModeDetectsAStaleDoubleFree(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            MemorySegment old = allocator.allocate(64, 8);
            allocator.deallocate(old);
            MemorySegment reused = allocator.allocate(64, 8);
            long used = Variants.used(allocator);
            AllocationException e = assertThrows(AllocationException.class, () -> allocator.deallocate(old));
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code(), e.getMessage());
            assertEquals(used, Variants.used(allocator), "the new owner's allocation is still live");
            allocator.deallocate(reused);
            assertEquals(0, Variants.used(allocator));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uncheckedPoolsAndStacks")
    void uncheckedModeCannotTellAStaleSegmentFromTheNewOne(Variants.Variant variant) {
        try (Allocator allocator = variant.create()) {
            MemorySegment old = allocator.allocate(64, 8);
            allocator.deallocate(old);
            MemorySegment reused = allocator.allocate(64, 8);
            assertEquals(old.address(), reused.address());
            allocator.deallocate(old);   // gives back the new owner's allocation: the documented limit
            assertEquals(0, Variants.used(allocator));
            AllocationException e = assertThrows(AllocationException.class, () -> allocator.deallocate(reused));
            assertTrue(e.code() == ErrorCode.DOUBLE_FREE || e.code() == ErrorCode.FOREIGN_SEGMENT, e.getMessage());
        }
    }
}
