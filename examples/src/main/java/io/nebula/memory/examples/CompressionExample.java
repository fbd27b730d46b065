package io.nebula.memory.examples;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.compression.Codec;
import io.nebula.memory.compression.CompressedStore;
import io.nebula.memory.compression.CompressionException;
import io.nebula.memory.compression.Snapshot;
import io.nebula.memory.compression.StoreConfig;
import io.nebula.memory.compression.StoreStatistics;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compression module at work: the state of an idle request spilled out of its arena as a snapshot and
 * restored when the request resumes, parsed records cached compressed and read back as structs, and a damaged
 * snapshot refused with a typed error.
 *
 * <p>It compresses with DEFLATE, for smaller snapshots; the default, LZ4, is faster. Neither prints a warning: both
 * Java implementations access memory through the FFM API alone.
 */
public final class CompressionExample {

    /** An order line: {@code long sku, long quantity, double price, long flags}, 32 bytes. */
    private static final long LINE_BYTES = 32;
    private static final long SKU = 0;
    private static final long QUANTITY = 8;
    private static final long PRICE = 16;

    private CompressionExample() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     */
    public static void run(PrintStream out) {
        out.println("== compression: snapshots of idle requests, a compressed cache of parsed records");
        spillColdRequestState(out);
        cacheParsedData(out);
        damagedSnapshot(out);
        out.println();
    }

    /** Fills a request arena: a header (line count, offset of the note), the order lines, a note. */
    private static void handle(BumpAllocator arena, int requestId, int lines) {
        MemorySegment memory = arena.segment();
        long header = arena.allocateOffset(16, 8);
        long first = arena.allocateOffset(lines * LINE_BYTES, 8);
        for (int i = 0; i < lines; i++) {
            long line = first + i * LINE_BYTES;
            memory.set(ValueLayout.JAVA_LONG, line + SKU, 1000L * requestId + i % 40);
            memory.set(ValueLayout.JAVA_LONG, line + QUANTITY, 1 + i % 3);
            memory.set(ValueLayout.JAVA_DOUBLE, line + PRICE, 2.5 + (i % 40) * 0.25);
        }
        byte[] note = ("request " + requestId + ": deliver to the back door, ring twice; ").repeat(40).getBytes();
        long noteAt = arena.allocateOffset(note.length, 1);
        MemorySegment.copy(MemorySegment.ofArray(note), 0, memory, noteAt, note.length);
        memory.set(ValueLayout.JAVA_INT, header, lines);
        memory.set(ValueLayout.JAVA_INT, header + 4, (int) first);
        memory.set(ValueLayout.JAVA_LONG, header + 8, noteAt);
    }

    /** Reads a request's total from its arena, by offsets only: what a resumed request re-derives. */
    private static double total(BumpAllocator arena) {
        MemorySegment memory = arena.segment();
        int lines = memory.get(ValueLayout.JAVA_INT, 0);
        long first = memory.get(ValueLayout.JAVA_INT, 4);
        double total = 0;
        for (int i = 0; i < lines; i++) {
            long line = first + i * LINE_BYTES;
            total += memory.get(ValueLayout.JAVA_LONG, line + QUANTITY) * memory.get(ValueLayout.JAVA_DOUBLE, line + PRICE);
        }
        return total;
    }

    /**
     * Two requests share one arena: request 1 waits for a slow payment service, so its state is snapshotted and
     * the arena serves request 2; then request 1 resumes from its snapshot.
     */
    private static void spillColdRequestState(PrintStream out) {
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024);
             BumpAllocator spill = BumpAllocator.create(64 * 1024)) {
            handle(arena, 1, 400);
            double before = total(arena);
            long used = arena.usedBytes();
            Snapshot cold = Snapshot.take(arena, Codec.DEFLATE, spill);
            out.printf("  request 1 waits for payment: %d arena bytes spilled into a %d-byte %s snapshot (%.1fx)%n",
                    used, cold.byteSize(), cold.codec(), (double) used / cold.byteSize());
            arena.reset();

            handle(arena, 2, 50);
            out.printf("  the arena serves request 2 meanwhile: total %.2f, %d bytes%n", total(arena),
                    arena.usedBytes());
            arena.reset();

            cold.restore(arena);
            out.printf("  request 1 resumes: %d bytes restored at their offsets, total %.2f (was %.2f)%n",
                    arena.usedBytes(), total(arena), before);
        }
    }

    /**
     * Parses a price list into records once, keeps each category compressed in a store, and reads one category
     * back into an arena when it is asked for.
     */
    private static void cacheParsedData(PrintStream out) {
        StringBuilder csv = new StringBuilder();
        String[] categories = {"tools", "garden", "kitchen", "lighting"};
        for (int i = 0; i < 4000; i++) {
            csv.append(categories[i % 4]).append(',').append(10_000 + i).append(',').append(1 + i % 7).append(',')
                    .append(String.format("%.2f", 1.0 + (i % 250) * 0.4)).append('\n');
        }
        Map<String, Long> cache = new LinkedHashMap<>();
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(Codec.DEFLATE));
             Arena parsing = Arena.ofConfined()) {
            for (String category : categories) {
                MemorySegment records = parse(csv, category, parsing);
                cache.put(category, store.put(records));
            }
            StoreStatistics stats = store.statistics();
            out.printf("  cached %d categories: %d bytes of records in %d bytes (%.1fx), %d bytes of chunk memory%n",
                    cache.size(), stats.bytesIn(), stats.bytesStored(), stats.ratio(), stats.reservedBytes());

            try (BumpAllocator request = BumpAllocator.create(64 * 1024)) {
                MemorySegment garden = store.get(cache.get("garden"), request);
                long count = garden.byteSize() / LINE_BYTES;
                double value = 0;
                for (long i = 0; i < count; i++) {
                    value += garden.get(ValueLayout.JAVA_LONG, i * LINE_BYTES + QUANTITY)
                            * garden.get(ValueLayout.JAVA_DOUBLE, i * LINE_BYTES + PRICE);
                }
                out.printf("  garden read back into a request arena: %d records, first sku %d, stock value %.2f%n",
                        count, garden.get(ValueLayout.JAVA_LONG, SKU), value);
            }
            store.free(cache.remove("tools"));
            out.println("  statistics: " + store.statistics().toJson());
        }
    }

    /** Parses the lines of one category into 32-byte records. */
    private static MemorySegment parse(CharSequence csv, String category, Arena arena) {
        String[] lines = csv.toString().split("\n");
        int count = 0;
        for (String line : lines) {
            if (line.startsWith(category + ",")) {
                count++;
            }
        }
        MemorySegment records = arena.allocate(count * LINE_BYTES, 8);
        long at = 0;
        for (String line : lines) {
            if (!line.startsWith(category + ",")) {
                continue;
            }
            String[] fields = line.split(",");
            records.set(ValueLayout.JAVA_LONG, at + SKU, Long.parseLong(fields[1]));
            records.set(ValueLayout.JAVA_LONG, at + QUANTITY, Long.parseLong(fields[2]));
            records.set(ValueLayout.JAVA_DOUBLE, at + PRICE, Double.parseDouble(fields[3]));
            at += LINE_BYTES;
        }
        return records;
    }

    /** A snapshot written to "disk" and damaged there is refused, not restored. */
    private static void damagedSnapshot(PrintStream out) {
        try (BumpAllocator arena = BumpAllocator.create(16 * 1024); Arena memory = Arena.ofConfined()) {
            handle(arena, 3, 100);
            byte[] file = Snapshot.take(arena, Codec.DEFLATE, memory).toSegment().toArray(ValueLayout.JAVA_BYTE);
            file[file.length / 2] ^= 0x01;
            arena.reset();
            try {
                Snapshot.from(MemorySegment.ofArray(file)).restore(arena);
                out.println("  the damaged snapshot was restored: this must not happen");
            } catch (CompressionException e) {
                out.println("  one flipped bit in a " + file.length + "-byte snapshot file:");
                e.getMessage().lines().limit(4).forEach(line -> out.println("    | " + line));
                out.println("  the arena stays empty: " + arena.usedBytes() + " bytes");
            }
        }
    }
}
