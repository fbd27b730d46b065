package io.nebula.memory.examples;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.Array;
import io.nebula.memory.annotation.Endianness;
import io.nebula.memory.annotation.MemoryScope;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.examples.dsl.ParticleStruct;
import io.nebula.memory.examples.dsl.ParticleSystem_Memory;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.stack.StackAllocator;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every annotation of the DSL and what the code generated for it does, one line per feature with the numbers
 * observed at run time: {@code @Struct} and {@code @Array} layouts, views and arrays; {@code @Allocator} of each
 * kind and with each option; every form of {@code @Alloc}; {@code @MemoryScope} on return, on throw, nested and
 * recursive; and the names of the generated classes.
 */
public final class AnnotationShowcase {

    private AnnotationShowcase() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception if a worker thread fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @throws Exception if a worker thread fails
     */
    public static void run(PrintStream out) throws Exception {
        out.println("== annotation showcase: what the generated code does");
        structLayouts(out);
        structAccess(out);
        allocForms(out);
        memoryScopes(out);
        allocatorKinds(out);
        allocatorOptions(out);
        threadSafePool(out);
        generatedNames(out);
        out.println();
    }

    // ---------------------------------------------------------------------------------------------------------
    // @Struct and @Array

    /**
     * A point.
     *
     * @param x the horizontal coordinate
     * @param y the vertical coordinate
     */
    @Struct
    record Point(int x, int y) {
    }

    /**
     * The particle of the {@code @Struct} javadoc: a nested struct, padding, and an inline array.
     *
     * @param position where it is, inline
     * @param kind what it is
     * @param mass its mass
     * @param velocity its velocity, three floats inline
     */
    @Struct
    record Particle(Point position, byte kind, double mass, @Array(length = 3) float[] velocity) {
    }

    /**
     * A header with natural alignment.
     *
     * @param version the format version
     * @param length the payload length
     * @param flags option bits
     */
    @Struct
    record Header(byte version, int length, short flags) {
    }

    /**
     * The same fields as {@link Header}, packed and big-endian, as on the wire.
     *
     * @param version the format version
     * @param length the payload length
     * @param flags option bits
     */
    @Struct(packed = true, byteOrder = Endianness.BIG_ENDIAN)
    record WireHeader(byte version, int length, short flags) {
    }

    /**
     * A vector aligned to 16 bytes, with its size pinned: the processor fails the build if the layout changes it.
     *
     * @param x the first coordinate
     * @param y the second coordinate
     * @param z the third coordinate
     */
    @Struct(alignment = 16, size = 16)
    record Vec3(float x, float y, float z) {
    }

    private static void structLayouts(PrintStream out) {
        out.printf("  @Struct Point: LAYOUT %s, SIZE %d, ALIGNMENT %d, OFFSET_X %d, OFFSET_Y %d%n",
                AnnotationShowcase_PointStruct.LAYOUT, AnnotationShowcase_PointStruct.SIZE,
                AnnotationShowcase_PointStruct.ALIGNMENT, AnnotationShowcase_PointStruct.OFFSET_X,
                AnnotationShowcase_PointStruct.OFFSET_Y);
        out.printf("  @Struct Particle(Point position, byte kind, double mass, @Array(length = 3) float[] velocity):"
                        + " SIZE %d, ALIGNMENT %d, offsets %d %d %d %d, LENGTH_VELOCITY %d, padding %s%n",
                AnnotationShowcase_ParticleStruct.SIZE, AnnotationShowcase_ParticleStruct.ALIGNMENT,
                AnnotationShowcase_ParticleStruct.OFFSET_POSITION, AnnotationShowcase_ParticleStruct.OFFSET_KIND,
                AnnotationShowcase_ParticleStruct.OFFSET_MASS, AnnotationShowcase_ParticleStruct.OFFSET_VELOCITY,
                AnnotationShowcase_ParticleStruct.LENGTH_VELOCITY, padding(AnnotationShowcase_ParticleStruct.LAYOUT));
        out.printf("  @Struct Header(byte, int, short): SIZE %d, offsets %d %d %d, padding %s%n",
                AnnotationShowcase_HeaderStruct.SIZE, AnnotationShowcase_HeaderStruct.OFFSET_VERSION,
                AnnotationShowcase_HeaderStruct.OFFSET_LENGTH, AnnotationShowcase_HeaderStruct.OFFSET_FLAGS,
                padding(AnnotationShowcase_HeaderStruct.LAYOUT));
        try (BumpAllocator arena = BumpAllocator.create(64)) {
            AnnotationShowcase_WireHeaderStruct.View wire =
                    AnnotationShowcase_WireHeaderStruct.allocate(arena,
                            new WireHeader((byte) 1, 0x01020304, (short) 7));
            out.printf("  @Struct(packed = true, byteOrder = BIG_ENDIAN) WireHeader: SIZE %d, ALIGNMENT %d,"
                            + " offsets %d %d %d; bytes of (1, 0x01020304, 7): %s%n",
                    AnnotationShowcase_WireHeaderStruct.SIZE, AnnotationShowcase_WireHeaderStruct.ALIGNMENT,
                    AnnotationShowcase_WireHeaderStruct.OFFSET_VERSION,
                    AnnotationShowcase_WireHeaderStruct.OFFSET_LENGTH,
                    AnnotationShowcase_WireHeaderStruct.OFFSET_FLAGS,
                    HexFormat.ofDelimiter(" ").formatHex(wire.segment().toArray(ValueLayout.JAVA_BYTE)));
        }
        out.printf("  @Struct(alignment = 16, size = 16) Vec3(float, float, float): 12 bytes of fields, SIZE %d,"
                        + " ALIGNMENT %d, padding %s%n", AnnotationShowcase_Vec3Struct.SIZE,
                AnnotationShowcase_Vec3Struct.ALIGNMENT, padding(AnnotationShowcase_Vec3Struct.LAYOUT));
    }

    /** The named padding members of a generated layout, with their offsets and sizes. */
    private static String padding(StructLayout layout) {
        List<String> gaps = new ArrayList<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            String name = member.name().orElseThrow();
            if (name.startsWith("$pad")) {
                gaps.add(name + " " + member.byteSize() + " B at "
                        + layout.byteOffset(MemoryLayout.PathElement.groupElement(name)));
            }
        }
        return gaps.isEmpty() ? "none" : String.join(", ", gaps);
    }

    private static void structAccess(PrintStream out) {
        try (BumpAllocator arena = BumpAllocator.create(4096)) {
            AnnotationShowcase_ParticleStruct.View particle = AnnotationShowcase_ParticleStruct.allocate(arena,
                    new Particle(new Point(1, 2), (byte) 7, 1.5, new float[] {0.5f, 0f, 0f}));
            particle.position().x(particle.position().x() + 1);     // a nested view over the same memory
            particle.velocity(2, 9.5f);                               // an @Array element
            Particle back = particle.toRecord();
            String outOfBounds;
            try {
                particle.velocity(3);
                outOfBounds = "no error";
            } catch (IndexOutOfBoundsException e) {
                outOfBounds = "IndexOutOfBoundsException";
            }
            out.printf("  View: nested position().x(2), velocity(2, 9.5f) -> toRecord() position (%d, %d), kind %d,"
                            + " mass %s, velocity [%s, %s, %s]; velocity(3) throws %s%n", back.position().x(),
                    back.position().y(), back.kind(), back.mass(), back.velocity()[0], back.velocity()[1],
                    back.velocity()[2], outOfBounds);

            MemorySegment points = AnnotationShowcase_PointStruct.allocateArray(arena, 100);
            AnnotationShowcase_PointStruct.View cursor = AnnotationShowcase_PointStruct.view(points);
            long sum = 0;
            for (long i = 0; i < 100; i++) {
                sum += cursor.moveToElement(i).x((int) i).y((int) (2 * i)).x();
            }
            out.printf("  allocateArray(arena, 100): %d bytes; one View moved by moveToElement, sum of x = %d;"
                            + " view(points, 99 * SIZE).y() = %d%n", points.byteSize(), sum,
                    AnnotationShowcase_PointStruct.view(points, 99 * AnnotationShowcase_PointStruct.SIZE).y());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // @Allocator(kind = BUMP), @Alloc and @MemoryScope

    /**
     * What a scoped call saw.
     *
     * @param result what it computed
     * @param bytesInside the allocator's bytes in use just before it returned
     */
    record Observed(long result, long bytesInside) {
    }

    /**
     * A bump arena with every form of {@code @Alloc} and scoped methods that return, throw, nest and recurse.
     */
    @Allocator(kind = AllocatorKind.BUMP, size = 4096, trackStats = true)
    abstract static class Shapes {

        /** For the generated subclass. */
        Shapes() {
        }

        /**
         * The arena, implemented by the generated subclass.
         *
         * @return the arena
         */
        protected abstract BumpAllocator allocator();

        /** @return a zeroed point */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View origin();

        /**
         * @param x the x of the point
         * @param y the y of the point
         * @return a point initialised by component name
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View point(int x, int y);

        /**
         * @param y the y of the point
         * @return a point with only {@code y} set
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View pointAtHeight(int y);

        /**
         * @param value the point to copy
         * @return a point initialised from a record value
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View point(Point value);

        /** @return ten zeroed points, the view at element 0 */
        @Alloc(count = 10)
        abstract AnnotationShowcase_PointStruct.View polygon();

        /** @return ten zeroed points as a segment */
        @Alloc(struct = Point.class, count = 10)
        abstract MemorySegment pointArray();

        /** @return 256 zeroed bytes aligned to 64 */
        @Alloc(bytes = 256, alignment = 64)
        abstract MemorySegment scratch();

        /**
         * The perimeter of a regular polygon of ten points on a circle of radius {@code r}, in a scope.
         *
         * @param r the radius
         * @return the perimeter, rounded, and the bytes in use inside
         */
        @MemoryScope
        Observed perimeter(int r) {
            AnnotationShowcase_PointStruct.View vertex = polygon();
            for (int i = 0; i < 10; i++) {
                double angle = 2 * Math.PI * i / 10;
                vertex.moveToElement(i)
                        .x((int) Math.round(r * Math.cos(angle)))
                        .y((int) Math.round(r * Math.sin(angle)));
            }
            AnnotationShowcase_PointStruct.View next = AnnotationShowcase_PointStruct.view(vertex.segment());
            double length = 0;
            for (int i = 0; i < 10; i++) {
                vertex.moveToElement(i);
                next.moveToElement((i + 1) % 10);
                length += Math.hypot(next.x() - vertex.x(), next.y() - vertex.y());
            }
            return new Observed(Math.round(length), allocator().usedBytes());
        }

        /**
         * Allocates, then fails with a checked exception, which passes through the scope unchanged.
         *
         * @throws IOException always
         */
        @MemoryScope
        void save() throws IOException {
            scratch().fill((byte) 1);
            throw new IOException("disk full after " + allocator().usedBytes() + " bytes");
        }

        /**
         * A scope that calls another.
         *
         * @return the bytes in use inside the inner call, and (as result) after it
         */
        @MemoryScope
        Observed outer() {
            point(1, 1);
            Observed inner = inner();
            return new Observed(allocator().usedBytes(), inner.bytesInside());
        }

        /** @return the bytes in use inside */
        @MemoryScope
        Observed inner() {
            pointArray();
            return new Observed(0, allocator().usedBytes());
        }
    }

    private static void allocForms(PrintStream out) {
        try (AnnotationShowcase_Shapes_Memory shapes = AnnotationShowcase_Shapes_Memory.create()) {
            out.printf("  @Allocator(kind = BUMP, size = 4096, trackStats = true) Shapes: create() owns %s%n",
                    shapes.allocator());
            AnnotationShowcase_PointStruct.View zero = shapes.origin();
            AnnotationShowcase_PointStruct.View byName = shapes.point(3, 4);
            AnnotationShowcase_PointStruct.View partial = shapes.pointAtHeight(7);
            AnnotationShowcase_PointStruct.View fromRecord = shapes.point(new Point(5, 6));
            out.printf("  @Alloc: origin() -> %s, point(int x, int y) -> %s, pointAtHeight(int y) -> %s,"
                    + " point(Point value) -> %s%n", xy(zero), xy(byName), xy(partial), xy(fromRecord));
            AnnotationShowcase_PointStruct.View polygon = shapes.polygon();
            MemorySegment array = shapes.pointArray();
            MemorySegment scratch = shapes.scratch();
            out.printf("  @Alloc(count = 10) View -> %d bytes, view at offset %d; @Alloc(struct = Point.class,"
                            + " count = 10) MemorySegment -> %d bytes; @Alloc(bytes = 256, alignment = 64) -> %d"
                            + " bytes, address %% 64 = %d, all zero: %b%n", polygon.segment().byteSize(),
                    polygon.offset(), array.byteSize(), scratch.byteSize(), scratch.address() % 64,
                    scratch.mismatch(MemorySegment.ofArray(new byte[256])) == -1);
            long used = shapes.allocator().usedBytes();
            shapes.allocator().reset();
            out.printf("  outside any scope the %d bytes stay until allocator().reset(): %d after%n", used,
                    shapes.allocator().usedBytes());
        }
    }

    private static String xy(AnnotationShowcase_PointStruct.View p) {
        return "(" + p.x() + ", " + p.y() + ")";
    }

    private static void memoryScopes(PrintStream out) {
        try (AnnotationShowcase_Shapes_Memory shapes = AnnotationShowcase_Shapes_Memory.create()) {
            Observed perimeter = shapes.perimeter(100);
            out.printf("  @MemoryScope return: perimeter(100) = %d with %d bytes inside, %d after%n",
                    perimeter.result(), perimeter.bytesInside(), shapes.allocator().usedBytes());
            try {
                shapes.save();
            } catch (IOException e) {
                out.printf("  @MemoryScope throw: IOException(\"%s\") passes through, %d after%n", e.getMessage(),
                        shapes.allocator().usedBytes());
            }
            Observed nested = shapes.outer();
            out.printf("  @MemoryScope nested: %d bytes inside inner(), %d back in outer(), %d after%n",
                    nested.bytesInside(), nested.result(), shapes.allocator().usedBytes());
            AllocationStatistics stats = shapes.allocator().statistics().orElseThrow();
            out.printf("  trackStats = true: %d allocations, peak %d bytes, %d scope releases%n", stats.allocations(),
                    stats.peakBytes(), stats.resets());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // @Allocator(kind = STACK) and @Allocator(kind = POOL)

    /** Recursion with a stack scope per call. */
    @Allocator(kind = AllocatorKind.STACK, size = 1024)
    abstract static class Recursion {

        /** For the generated subclass. */
        Recursion() {
        }

        /**
         * The stack, implemented by the generated subclass.
         *
         * @return the stack
         */
        protected abstract StackAllocator allocator();

        /**
         * @param x the x of the point
         * @param y the y of the point
         * @return a point on the stack
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View local(int x, int y);

        /**
         * The sum of the squares of 1 to {@code n}, keeping (i, i * i) in a stack scope at each level.
         *
         * @param n the last number
         * @param deepest the largest stack use seen, updated
         * @return the sum
         */
        @MemoryScope
        long sumOfSquares(int n, long[] deepest) {
            if (n == 0) {
                deepest[0] = Math.max(deepest[0], allocator().usedBytes());
                return 0;
            }
            AnnotationShowcase_PointStruct.View local = local(n, n * n);
            return local.y() + sumOfSquares(n - 1, deepest);
        }
    }

    /** Points in a pool whose blocks take the size and alignment of {@link Point}. */
    @Allocator(kind = AllocatorKind.POOL, block = Point.class, blockCount = 8)
    abstract static class Triangles {

        /** For the generated subclass. */
        Triangles() {
        }

        /**
         * The pool, implemented by the generated subclass.
         *
         * @return the pool
         */
        protected abstract PoolAllocator allocator();

        /**
         * @param x the x of the point
         * @param y the y of the point
         * @return a point, one block
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View vertex(int x, int y);

        /**
         * Twice the area of a triangle, its three vertices taken from the pool.
         *
         * @param base the base
         * @param height the height
         * @return twice the area, and the bytes in use inside
         */
        @MemoryScope
        Observed doubleArea(int base, int height) {
            AnnotationShowcase_PointStruct.View a = vertex(0, 0);
            AnnotationShowcase_PointStruct.View b = vertex(base, 0);
            AnnotationShowcase_PointStruct.View c = vertex(0, height);
            long cross = (long) (b.x() - a.x()) * (c.y() - a.y()) - (long) (b.y() - a.y()) * (c.x() - a.x());
            return new Observed(Math.abs(cross), allocator().usedBytes());
        }
    }

    /** Cache lines in a pool given by block size and alignment. */
    @Allocator(kind = AllocatorKind.POOL, blockSize = 64, blockAlignment = 64, blockCount = 2)
    abstract static class CacheLines {

        /** For the generated subclass. */
        CacheLines() {
        }

        /** @return one zeroed 64-byte block */
        @Alloc(bytes = 64, alignment = 64)
        abstract MemorySegment line();
    }

    private static void allocatorKinds(PrintStream out) {
        try (AnnotationShowcase_Recursion_Memory recursion = AnnotationShowcase_Recursion_Memory.create()) {
            long[] deepest = new long[1];
            long sum = recursion.sumOfSquares(10, deepest);
            out.printf("  @Allocator(kind = STACK, size = 1024): recursive sumOfSquares(10) = %d, a scope per call,"
                            + " deepest %d bytes, %d after, depth %d%n", sum, deepest[0],
                    recursion.allocator().usedBytes(), recursion.allocator().depth());
        }
        try (AnnotationShowcase_Triangles_Memory triangles = AnnotationShowcase_Triangles_Memory.create()) {
            Observed area = triangles.doubleArea(6, 4);
            out.printf("  @Allocator(kind = POOL, block = Point.class, blockCount = 8): doubleArea(6, 4) = %d with %d"
                            + " bytes (3 blocks of %d) inside, %d of %d blocks free after%n", area.result(),
                    area.bytesInside(), triangles.allocator().blockSize(), triangles.allocator().freeBlocks(),
                    triangles.allocator().blockCount());
        }
        try (AnnotationShowcase_CacheLines_Memory lines = AnnotationShowcase_CacheLines_Memory.create()) {
            MemorySegment line = lines.line();
            out.printf("  @Allocator(kind = POOL, blockSize = 64, blockAlignment = 64): line() -> %d bytes, address"
                            + " %% 64 = %d; taken outside a scope, %d of %d free until deallocate%n",
                    line.byteSize(), line.address() % 64, lines.allocator().freeBlocks(),
                    lines.allocator().blockCount());
            lines.allocator().deallocate(line);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // @Allocator options

    /** A debugging allocator: poisoned memory and checked mode. */
    @Allocator(kind = AllocatorKind.BUMP, size = 256, fillPattern = 0xAA, checked = true)
    abstract static class Debugging {
        private final Keeper keeper = new Keeper();

        /** For the generated subclass. */
        Debugging() {
        }

        /**
         * The arena, implemented by the generated subclass.
         *
         * @return the arena
         */
        protected abstract BumpAllocator allocator();

        /** @return a zeroed point */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View origin();

        /**
         * Keeps a view of scoped memory past the scope: a bug that checked mode catches at run time. Stored in a
         * field of this class it would be a compile error ({@code [nebula/ScopeEscape]}); handed to a method of
         * another class that keeps it, it is beyond the compile-time check, as DIAGNOSTICS.md documents.
         *
         * @return the first byte of a raw allocation and of an {@code @Alloc} one, as {@code "raw/alloc"}
         */
        @MemoryScope
        String leakAView() {
            byte raw = allocator().allocate(8).get(ValueLayout.JAVA_BYTE, 0);
            AnnotationShowcase_PointStruct.View view = origin();
            keeper.keep(view);
            return HexFormat.of().toHexDigits(raw) + "/" + HexFormat.of().toHexDigits(view.segment().get(
                    ValueLayout.JAVA_BYTE, 0));
        }

        /**
         * Reads the view kept by {@link #leakAView()}, after its scope ended.
         *
         * @return the x of the kept point, if the memory can still be read
         */
        int readKeptView() {
            return keeper.kept.x();
        }
    }

    /** Another class that keeps what it is given: the compile-time check does not look inside it. */
    static final class Keeper {
        private AnnotationShowcase_PointStruct.View kept;

        void keep(AnnotationShowcase_PointStruct.View view) {
            kept = view;
        }
    }

    private static void allocatorOptions(PrintStream out) {
        try (AnnotationShowcase_Debugging_Memory debugging = AnnotationShowcase_Debugging_Memory.create()) {
            String firstBytes = debugging.leakAView();
            String useAfterScope;
            try {
                useAfterScope = "reads " + debugging.readKeptView();
            } catch (IllegalStateException e) {
                useAfterScope = "throws IllegalStateException";
            }
            out.printf("  fillPattern = 0xAA: a raw allocation starts %s, an @Alloc one %s (zeroed);"
                    + " checked = true: a view kept past its scope %s%n", firstBytes.substring(0, 2),
                    firstBytes.substring(3), useAfterScope);
        }
    }

    /** A thread-safe pool used by several threads at once; each thread's scopes give back the blocks it took. */
    @Allocator(kind = AllocatorKind.POOL, block = Point.class, blockCount = 16, threadSafe = true)
    abstract static class ThreadSafePoints {

        /** For the generated subclass. */
        ThreadSafePoints() {
        }

        /**
         * @param x the x of the point
         * @param y the y of the point
         * @return a point, one block
         */
        @Alloc
        abstract AnnotationShowcase_PointStruct.View point(int x, int y);

        /**
         * The squared distance between (x, y) and (y, x), both points in the pool.
         *
         * @param x one coordinate
         * @param y the other
         * @return the squared distance
         */
        @MemoryScope
        long distanceSquared(int x, int y) {
            AnnotationShowcase_PointStruct.View p = point(x, y);
            AnnotationShowcase_PointStruct.View q = point(y, x);
            long dx = p.x() - q.x();
            long dy = p.y() - q.y();
            return dx * dx + dy * dy;
        }
    }

    private static void threadSafePool(PrintStream out) throws Exception {
        int threads = 4;
        int calls = 1000;
        try (AnnotationShowcase_ThreadSafePoints_Memory points = AnnotationShowcase_ThreadSafePoints_Memory.create();
             ExecutorService workers = Executors.newFixedThreadPool(threads)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(workers.submit(() -> {
                    long total = 0;
                    for (int i = 0; i < calls; i++) {
                        total += points.distanceSquared(i, 0);
                    }
                    return total;
                }));
            }
            long total = 0;
            for (Future<Long> result : results) {
                total += result.get();
            }
            out.printf("  threadSafe = true: %d threads x %d scoped calls on one pool of %d, checksum %d, %d blocks"
                            + " in use after%n", threads, calls, points.allocator().blockCount(), total,
                    points.allocator().blockCount() - points.allocator().freeBlocks());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generated names

    private static void generatedNames(PrintStream out) {
        try (ParticleSystem_Memory system = ParticleSystem_Memory.create();
             AnnotationShowcase_Shapes_Memory shapes = AnnotationShowcase_Shapes_Memory.create()) {
            // The type allocator() declares: the allocator object itself is a confined or thread-safe implementation.
            out.printf("  generated names: top level %s extends %s owning a %s, %s; nested %s extends %s owning a %s,"
                            + " %s with %s%n",
                    system.getClass().getSimpleName(), system.getClass().getSuperclass().getSimpleName(),
                    allocatorType(system.allocator()), ParticleStruct.class.getSimpleName(),
                    shapes.getClass().getSimpleName(), shapes.getClass().getSuperclass().getSimpleName(),
                    allocatorType(shapes.allocator()),
                    AnnotationShowcase_PointStruct.class.getSimpleName(),
                    AnnotationShowcase_PointStruct.View.class.getName().substring(
                            AnnotationShowcase.class.getPackageName().length() + 1).replace('$', '.'));
        }
    }

    /** The allocator's public type; its class is a confined or thread-safe implementation of that type. */
    private static String allocatorType(Object allocator) {
        return switch (allocator) {
            case BumpAllocator _ -> BumpAllocator.class.getSimpleName();
            case StackAllocator _ -> StackAllocator.class.getSimpleName();
            case PoolAllocator _ -> PoolAllocator.class.getSimpleName();
            default -> allocator.getClass().getSimpleName();
        };
    }
}
