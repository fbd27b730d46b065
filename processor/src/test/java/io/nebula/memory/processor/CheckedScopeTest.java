package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A view handed out of a {@code @MemoryScope} call through a way the lifetime check cannot see (a callback the
 * caller keeps) is dead once the call returns, in checked mode, for every allocator kind: reading it throws
 * instead of reading the next call's data. A generated pool scope goes through the pool's own scope, so checked
 * mode sees its blocks as it sees every other block.
 */
class CheckedScopeTest {

    private static Compilations.Loaded loaded;

    private static String holder(String name, String allocator) {
        return String.join("\n",
                "package checked;",
                "import io.nebula.memory.annotation.*;",
                "import java.util.function.Consumer;",
                "@Allocator(" + allocator + ", checked = true)",
                "public abstract class " + name + " implements AutoCloseable {",
                "    @Alloc protected abstract PointStruct.View newPoint(int x, int y);",
                "    @MemoryScope public int hand(Consumer<Object> sink, int x) {",
                "        PointStruct.View p = newPoint(x, x + 1);",
                "        sink.accept(p);",
                "        return p.x();",
                "    }",
                "    public int read(Object view) { return ((PointStruct.View) view).x(); }",
                "    @Override public void close() {}",
                "}");
    }

    @BeforeAll
    static void compile() {
        Compilation compilation = Compilations.compile(
                Compilations.source("checked.Point", "package checked;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Point(int x, int y) {}"),
                Compilations.source("checked.Bump", holder("Bump", "kind = AllocatorKind.BUMP, size = 4096")),
                Compilations.source("checked.Stack", holder("Stack", "kind = AllocatorKind.STACK, size = 4096")),
                Compilations.source("checked.Pool",
                        holder("Pool", "kind = AllocatorKind.POOL, block = Point.class, blockCount = 16")),
                Compilations.source("checked.SharedPool", holder("SharedPool",
                        "kind = AllocatorKind.POOL, block = Point.class, blockCount = 16, threadSafe = true")));
        assertThat(compilation).succeededWithoutWarnings();
        loaded = Compilations.load(compilation);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Bump", "Stack", "Pool", "SharedPool"})
    void aViewKeptPastItsScopeThrowsInsteadOfReadingTheNextCallsData(String kind) throws Exception {
        try (AutoCloseable holder = (AutoCloseable) loaded.call("checked." + kind + "_Memory", "create")) {
            List<Object> kept = new ArrayList<>();
            Consumer<Object> sink = kept::add;
            assertEquals(5, loaded.call(holder, "hand", sink, 5));
            assertEquals(9, loaded.call(holder, "hand", (Consumer<Object>) _ -> { }, 9), "the next call");

            IllegalStateException stale = assertThrows(IllegalStateException.class,
                    () -> loaded.call(holder, "read", kept.getFirst()));
            assertTrue(stale.getMessage().toLowerCase(java.util.Locale.ROOT).contains("closed"), stale.toString());
        }
    }
}
