package io.nebula.memory.benchmarks;

import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.nebula.memory.compression.DataSets;
import io.nebula.memory.compression.Lz4ForBenchmarks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The store's own LZ4 codec (FFM only, {@code Lz4BlockCodec}, the default's Java implementation) against
 * aircompressor's {@code Lz4JavaCompressor} / {@code Lz4JavaDecompressor} ({@code sun.misc.Unsafe}), called directly
 * on the compression tests' data sets in native segments. From 2 KiB up both write the same bytes (below, aircompressor
 * uses a smaller hash table, and the blocks may differ), so the two decompressors read the same block, ours.
 *
 * <p>As in {@link CompressionBenchmark}, each comparison is a JMH group of two threads that run at the same time,
 * one per codec, each on state of its own, so that both see the same load on a shared machine: read the ratios.
 * MB/s is {@code size / ns * 1000}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class Lz4CodecBenchmark {

    /** From this many bytes of data on, aircompressor's LZ4 writes the same block as ours. */
    private static final int SAME_BLOCKS_FROM = 2048;

    /** The data set. */
    @Param({"TEXT", "STRUCTS", "RANDOM", "ZEROS"})
    public String data;

    /** Bytes of data per block. */
    @Param({"4096", "65536"})
    public int size;

    private Arena arena;
    private MemorySegment input;
    private MemorySegment output;
    private MemorySegment compressed;
    private MemorySegment decompressed;
    private final Lz4ForBenchmarks ffm = new Lz4ForBenchmarks();
    private final Lz4JavaCompressor aircompressor = new Lz4JavaCompressor();
    private final Lz4JavaDecompressor aircompressorDecompressor = new Lz4JavaDecompressor();

    /** Prepares the data and its compressed block. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        input = arena.allocate(size, 64).copyFrom(DataSets.valueOf(data).generate(size, 42));
        output = arena.allocate(Lz4ForBenchmarks.maxCompressedLength(size), 64);
        int length = ffm.compress(input, output);
        compressed = arena.allocate(length, 64).copyFrom(output.asSlice(0, length));
        decompressed = arena.allocate(size, 64);
        int theirs = aircompressor.compress(input, output);
        if (size >= SAME_BLOCKS_FROM
                && (theirs != length || output.asSlice(0, length).mismatch(compressed) != -1)) {
            throw new IllegalStateException("the two compressors wrote different blocks of " + size + " bytes");
        }
        if (aircompressorDecompressor.decompress(compressed, decompressed) != size
                || decompressed.mismatch(input) != -1) {
            throw new IllegalStateException("aircompressor does not decode the FFM codec's block of " + size + " bytes");
        }
    }

    /** Frees everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /**
     * The FFM codec.
     *
     * @return the compressed length
     */
    @Benchmark
    @Group("compress")
    @GroupThreads(1)
    public int ffmCompress() {
        return ffm.compress(input, output);
    }

    /**
     * aircompressor's Unsafe codec.
     *
     * @return the compressed length
     */
    @Benchmark
    @Group("compress")
    @GroupThreads(1)
    public int unsafeCompress() {
        return aircompressor.compress(input, output);
    }

    /**
     * The FFM codec.
     *
     * @return the decompressed length
     */
    @Benchmark
    @Group("decompress")
    @GroupThreads(1)
    public int ffmDecompress() {
        return ffm.decompress(compressed, decompressed);
    }

    /**
     * aircompressor's Unsafe codec.
     *
     * @return the decompressed length
     */
    @Benchmark
    @Group("decompress")
    @GroupThreads(1)
    public int unsafeDecompress() {
        return aircompressorDecompressor.decompress(compressed, decompressed);
    }
}
