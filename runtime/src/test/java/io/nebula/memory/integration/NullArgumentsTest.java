package io.nebula.memory.integration;

import io.nebula.memory.Allocator;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.async.AsyncArena;
import io.nebula.memory.async.AsyncConfig;
import io.nebula.memory.async.Lease;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The mechanical half of "null arguments are {@link NullPointerException}": every public method of every allocator
 * type, its factories and the JDK's inherited {@code SegmentAllocator} methods included, is called once for each of
 * its reference parameters with {@code null} there and a valid value everywhere else, and must throw
 * {@code NullPointerException} (not an {@code AllocationException}, not succeed). A method that needs a valid value
 * of a type the table below lacks fails the test, so a new method is covered or noticed.
 */
class NullArgumentsTest {

    private static final Map<Class<?>, Object> VALID = Map.ofEntries(
            Map.entry(MemoryLayout.class, ValueLayout.JAVA_INT),
            Map.entry(ValueLayout.class, ValueLayout.JAVA_INT),
            Map.entry(AddressLayout.class, ValueLayout.ADDRESS),
            Map.entry(ValueLayout.OfByte.class, ValueLayout.JAVA_BYTE),
            Map.entry(ValueLayout.OfBoolean.class, ValueLayout.JAVA_BOOLEAN),
            Map.entry(ValueLayout.OfChar.class, ValueLayout.JAVA_CHAR),
            Map.entry(ValueLayout.OfShort.class, ValueLayout.JAVA_SHORT),
            Map.entry(ValueLayout.OfInt.class, ValueLayout.JAVA_INT),
            Map.entry(ValueLayout.OfFloat.class, ValueLayout.JAVA_FLOAT),
            Map.entry(ValueLayout.OfLong.class, ValueLayout.JAVA_LONG),
            Map.entry(ValueLayout.OfDouble.class, ValueLayout.JAVA_DOUBLE),
            Map.entry(String.class, "x"),
            Map.entry(Charset.class, StandardCharsets.UTF_8),
            Map.entry(Consumer.class, (Consumer<MemorySegment>) segment -> { }),
            Map.entry(byte[].class, new byte[1]),
            Map.entry(char[].class, new char[1]),
            Map.entry(short[].class, new short[1]),
            Map.entry(int[].class, new int[1]),
            Map.entry(float[].class, new float[1]),
            Map.entry(long[].class, new long[1]),
            Map.entry(double[].class, new double[1]));

    private static final Map<Class<?>, Object> PRIMITIVE_ZEROS = Map.of(boolean.class, false, char.class, (char) 0,
            byte.class, (byte) 0, short.class, (short) 0, int.class, 0, long.class, 0L, float.class, 0f,
            double.class, 0d);

    /** An allocator of each kind, and the public type whose methods are its API. */
    record Subject(String name, Class<?> api) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Subject> subjects() {
        return Stream.of(new Subject("bump", BumpAllocator.class), new Subject("pool", PoolAllocator.class),
                new Subject("stack", StackAllocator.class), new Subject("lease", Lease.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void everyReferenceParameterRefusesNullWithNullPointerException(Subject subject) throws Exception {
        List<String> wrong = new ArrayList<>();
        int calls = 0;
        try (AsyncArena budget = AsyncArena.create(1 << 16, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
             Arena arena = Arena.ofConfined()) {
            for (Method method : subject.api().getMethods()) {
                if (method.getDeclaringClass() == Object.class) {
                    continue;
                }
                boolean isStatic = Modifier.isStatic(method.getModifiers());
                Class<?>[] types = method.getParameterTypes();
                for (int i = 0; i < types.length; i++) {
                    if (types[i].isPrimitive()) {
                        continue;
                    }
                    Object[] arguments = new Object[types.length];
                    for (int j = 0; j < types.length; j++) {
                        arguments[j] = j == i ? null : valid(types[j], method, arena);
                    }
                    try (Allocator allocator = create(subject, budget)) {
                        calls++;
                        method.invoke(isStatic ? null : allocator, arguments);
                        wrong.add(method + " accepted null as argument " + i);
                    } catch (InvocationTargetException e) {
                        if (!(e.getCause() instanceof NullPointerException)) {
                            wrong.add(method + " threw " + e.getCause() + " for null argument " + i);
                        }
                    }
                }
            }
        }
        assertFalse(calls == 0, "no method takes a reference");
        if (!wrong.isEmpty()) {
            fail(String.join("\n", wrong));
        }
    }

    private static Allocator create(Subject subject, AsyncArena budget) {
        return switch (subject.name()) {
            case "bump" -> BumpAllocator.create(4096, BumpConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
            case "pool" -> PoolAllocator.create(64, 8, 16, PoolConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
            case "stack" -> StackAllocator.create(4096, StackConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
            default -> budget.lease(4096).join();
        };
    }

    private static Object valid(Class<?> type, Method method, Arena arena) {
        if (type.isPrimitive()) {
            Object zero = PRIMITIVE_ZEROS.get(type);
            assertNotNull(zero, () -> "no zero for " + type);
            return zero;
        }
        if (type == MemorySegment.class) {
            return arena.allocate(8, 8);
        }
        Object value = VALID.get(type);
        assertNotNull(value, () -> "no valid " + type.getName() + " for " + method + ": add one to the table");
        return assertInstanceOf(type, value);
    }
}
