package io.nebula.memory.integration;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.StatisticsProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every allocator does, whatever its kind: the counterpart of the Rust crate's allocator_basic suite. */
class AllocatorBasicTest {

    static java.util.stream.Stream<Allocators.Kind> kinds() {
        return Allocators.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void implementsEveryCapability(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(4096)) {
            assertInstanceOf(MemoryUsage.class, allocator);
            assertInstanceOf(Resettable.class, allocator);
            assertInstanceOf(StatisticsProvider.class, allocator);
            assertTrue(((StatisticsProvider) allocator).statistics().isEmpty(), "not tracked by default");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void allocatesAlignedWritableMemoryOfTheRequestedSize(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(4096)) {
            long[][] requests = {{1, 1}, {8, 8}, {3, 2}, {16, 16}, {100, 4}, {0, 8}};
            List<MemorySegment> live = new ArrayList<>();
            for (long[] r : requests) {
                MemorySegment s = allocator.allocate(r[0], r[1]);
                assertEquals(r[0], s.byteSize());
                assertEquals(0, s.address() % r[1], "aligned to " + r[1]);
                assertTrue(allocator.owns(s));
                s.fill((byte) live.size());
                live.add(s);
            }
            for (int i = 0; i < live.size(); i++) {
                MemorySegment s = live.get(i);
                for (long b = 0; b < s.byteSize(); b++) {
                    assertEquals((byte) i, s.get(ValueLayout.JAVA_BYTE, b), "allocation " + i + " kept its bytes");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void worksWithTheJdkSegmentAllocatorHelpers(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(4096)) {
            assertEquals("nebula", allocator.allocateFrom("nebula").getString(0));
            MemorySegment ints = allocator.allocateFrom(ValueLayout.JAVA_INT, 4, 5, 6);
            assertEquals(6, ints.getAtIndex(ValueLayout.JAVA_INT, 2));
            MemorySegment point = allocator.allocate(MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("x"),
                    ValueLayout.JAVA_INT.withName("y")));
            assertEquals(8, point.byteSize());
            assertEquals(42L, allocator.allocateFrom(ValueLayout.JAVA_LONG, 42L).get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void usageGrowsWithAllocationAndResetReleasesEverything(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(4096)) {
            MemoryUsage usage = (MemoryUsage) allocator;
            long capacity = usage.capacityBytes();
            assertEquals(0, usage.usedBytes());
            allocator.allocate(64, 8);
            allocator.allocate(64, 8);
            assertTrue(usage.usedBytes() >= 128);
            assertEquals(capacity, usage.usedBytes() + usage.availableBytes());
            ((Resettable) allocator).reset();
            assertEquals(0, usage.usedBytes());
            assertEquals(capacity, usage.availableBytes());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void runningOutIsAnActionableErrorThatChangesNothing(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(1024)) {
            List<MemorySegment> held = new ArrayList<>();
            AllocationException e = assertThrows(AllocationException.class, () -> {
                while (true) {
                    held.add(allocator.allocate(128, 8));
                }
            });
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertFalse(e.suggestions().isEmpty());
            assertTrue(e.getMessage().contains("Suggestions:\n   1. "), e.getMessage());
            long used = Allocators.used(allocator);
            assertThrows(AllocationException.class, () -> allocator.allocate(128, 8));
            assertEquals(used, Allocators.used(allocator));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void rejectsInvalidRequestsWithTheirOwnCodes(Allocators.Kind kind) {
        try (Allocator allocator = kind.create(1024)) {
            assertEquals(ErrorCode.INVALID_SIZE,
                    assertThrows(AllocationException.class, () -> allocator.allocate(-1, 8)).code());
            assertEquals(ErrorCode.INVALID_ALIGNMENT,
                    assertThrows(AllocationException.class, () -> allocator.allocate(8, 3)).code());
            assertEquals(ErrorCode.FOREIGN_SEGMENT, assertThrows(AllocationException.class,
                    () -> allocator.deallocate(MemorySegment.ofArray(new byte[8]))).code());
            assertEquals(0, Allocators.used(allocator));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void segmentsDieWithTheAllocator(Allocators.Kind kind) {
        Allocator allocator = kind.create(1024);
        MemorySegment s = allocator.allocate(16, 8);
        allocator.close();
        assertTrue(allocator.isClosed());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, () -> allocator.allocate(8, 8)).code());
        assertFalse(allocator.owns(s));
        allocator.close();
    }
}
