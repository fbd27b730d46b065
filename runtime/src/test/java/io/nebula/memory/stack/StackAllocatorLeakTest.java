package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leak reports: a stack closed while allocations are still live, under each leak policy. */
class StackAllocatorLeakTest {

    private final Logger logger = Logger.getLogger("io.nebula.memory");
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private boolean parentHandlers;

    @BeforeEach
    void captureTheLog() {
        parentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(capture);
    }

    @AfterEach
    void restoreTheLog() {
        logger.removeHandler(capture);
        logger.setUseParentHandlers(parentHandlers);
    }

    private static StackAllocator stack(LeakPolicy policy) {
        return StackAllocator.create(1024, StackConfig.defaults().withLeakPolicy(policy));
    }

    @Test
    void failPolicyThrowsWithCountBytesAndFreesTheMemoryAnyway() {
        StackAllocator stack = stack(LeakPolicy.FAIL);
        MemorySegment first = stack.allocate(16);
        stack.allocateOffset(100, 64);
        AllocationException e = assertThrows(AllocationException.class, stack::close);
        assertEquals(ErrorCode.LEAK, e.code());
        assertTrue(e.getMessage().contains("StackAllocator[capacity=1024, used=164, depth=2] closed with 2 live"
                + " allocation(s) holding 164 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("enable checked mode to see where they were allocated"), e.getMessage());
        assertTrue(e.getMessage().contains("Give back every allocation and close every scope"),
                e.getMessage());
        assertTrue(stack.isClosed());
        assertThrows(IllegalStateException.class, () -> first.get(ValueLayout.JAVA_BYTE, 0));
        assertDoesNotThrow(stack::close, "closing again reports nothing");
        assertTrue(logged.isEmpty());
    }

    @Test
    void warnPolicyLogsTheReportAndClosesQuietly() {
        StackAllocator stack = stack(LeakPolicy.WARN);
        stack.allocate(24);
        assertDoesNotThrow(stack::close);
        assertTrue(stack.isClosed());
        assertEquals(1, logged.size());
        LogRecord record = logged.getFirst();
        assertEquals(Level.WARNING, record.getLevel());
        assertTrue(record.getMessage().contains("closed with 1 live allocation(s) holding 24 bytes"),
                record.getMessage());
    }

    @Test
    void ignorePolicySaysNothing() {
        StackAllocator stack = stack(LeakPolicy.IGNORE);
        stack.allocate(24);
        stack.scope();
        assertDoesNotThrow(stack::close);
        assertTrue(stack.isClosed());
        assertTrue(logged.isEmpty());
    }

    @Test
    void openScopesAreNamed() {
        StackAllocator stack = stack(LeakPolicy.FAIL);
        stack.allocate(8);
        stack.scope();
        stack.scope();
        stack.allocate(8);
        try (Scope _ = stack.scope()) {
            stack.allocate(8);
        }
        AllocationException e = assertThrows(AllocationException.class, stack::close);
        assertTrue(e.getMessage().contains("StackAllocator[capacity=1024, used=16, depth=2]"
                + " closed with 2 live allocation(s) and 2 open scope(s) holding 16 bytes"), e.getMessage());
    }

    @Test
    void checkedModeNamesWhereEachLiveAllocationWasMade() {
        StackConfig config = StackConfig.defaults().withLeakPolicy(LeakPolicy.FAIL).withChecked(true);
        StackAllocator stack = StackAllocator.create(1024, config);
        allocateAndForget(stack);
        stack.allocateOffset(8, 8);
        AllocationException e = assertThrows(AllocationException.class, stack::close);
        String message = e.getMessage();
        assertTrue(message.contains("closed with 2 live allocation(s) holding 16 bytes"), message);
        // On the module path a frame reads "at io.nebula.memory@version/io.nebula.memory.stack...": the module
        // prefix is optional.
        String frame = "\n      at (\\S+/)?" + Pattern.quote(getClass().getName());
        assertTrue(Pattern.compile("allocation 1:" + frame + "\\.allocateAndForget\\(").matcher(message).find(),
                message);
        assertTrue(Pattern.compile("allocation 2:" + frame + "\\.checkedModeNamesWhereEachLiveAllocationWasMade\\(")
                .matcher(message).find(), message);
    }

    private static void allocateAndForget(StackAllocator stack) {
        stack.allocate(8);
    }

    @Test
    void checkedModeKeepsAtMostTenSites() {
        StackConfig config = StackConfig.defaults().withLeakPolicy(LeakPolicy.FAIL).withChecked(true);
        StackAllocator stack = StackAllocator.create(1024, config);
        for (int i = 0; i < 12; i++) {
            stack.allocate(1);
        }
        AllocationException e = assertThrows(AllocationException.class, stack::close);
        assertTrue(e.getMessage().contains("closed with 12 live allocation(s) holding 12 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("allocation 10:"), e.getMessage());
        assertTrue(!e.getMessage().contains("allocation 11:"), e.getMessage());
    }

    @Test
    void anEmptyStackIsNoLeakWhateverWasPoppedOrReleased() {
        StackAllocator stack = stack(LeakPolicy.FAIL);
        MemorySegment popped = stack.allocate(8);
        stack.deallocate(popped);
        try (Scope _ = stack.scope()) {
            stack.allocate(100);
        }
        stack.allocate(10);
        stack.reset();
        assertDoesNotThrow(stack::close);
    }

    @Test
    void aThreadSafeStackReportsToo() {
        StackAllocator stack = StackAllocator.create(256,
                StackConfig.defaults().withThreadSafe(true).withLeakPolicy(LeakPolicy.FAIL));
        stack.allocate(40);
        AllocationException e = assertThrows(AllocationException.class, stack::close);
        assertTrue(e.getMessage().contains("StackAllocator[capacity=256, used=40, depth=1, regions held=1 by 1 thread,"
                + " thread-safe] closed with 1 live allocation(s) holding 40 bytes"), e.getMessage());
        assertTrue(stack.isClosed());
    }
}
