package io.nebula.memory.benchmarks;

import io.airlift.compress.v3.Compressor;
import io.airlift.compress.v3.Decompressor;
import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.snappy.SnappyJavaCompressor;
import io.airlift.compress.v3.snappy.SnappyJavaDecompressor;
import io.nebula.memory.compression.DataSets;
import io.nebula.memory.compression.FfmCodecForBenchmarks;
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
 * The store's own codecs on the FFM API ({@code FfmBlockCodec}: LZ4, the default's Java implementation, and Snappy,
 * Snappy's) against the aircompressor Java codecs they replaced, which access raw addresses outside the FFM API
 * ({@code Lz4JavaCompressor} / {@code Lz4JavaDecompressor}, {@code SnappyJavaCompressor} /
 * {@code SnappyJavaDecompressor}), called directly on the compression tests' data sets in native segments. Both
 * write the same bytes (for LZ4 from 2 KiB up: below, aircompressor uses a smaller hash table, and the blocks may
 * differ), so the two decompressors read the same block, ours: the same ratio, and only the code differs.
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
public class FfmCodecBenchmark {

    /** From this many bytes of data on, aircompressor's LZ4 writes the same block as ours; its Snappy always does. */
    private static final int SAME_LZ4_BLOCKS_FROM = 2048;

    /** The codec, on both sides. */
    @Param({"LZ4", "SNAPPY"})
    public String codec;

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
    private FfmCodecForBenchmarks ffm;
    private Compressor aircompressor;
    private Decompressor aircompressorDecompressor;

    /** Prepares the data and its compressed block. */
    @Setup(Level.Trial)
    public void setUp() {
        boolean lz4 = "LZ4".equals(codec);
        ffm = lz4 ? FfmCodecForBenchmarks.lz4() : FfmCodecForBenchmarks.snappy();
        aircompressor = lz4 ? new Lz4JavaCompressor() : new SnappyJavaCompressor();
        aircompressorDecompressor = lz4 ? new Lz4JavaDecompressor() : new SnappyJavaDecompressor();
        arena = Arena.ofConfined();
        input = arena.allocate(size, 64).copyFrom(DataSets.valueOf(data).generate(size, 42));
        output = arena.allocate(ffm.maxCompressedLength(size), 64);
        int length = ffm.compress(input, output);
        compressed = arena.allocate(length, 64).copyFrom(output.asSlice(0, length));
        decompressed = arena.allocate(size, 64);
        int theirs = aircompressor.compress(input, output);
        if ((!lz4 || size >= SAME_LZ4_BLOCKS_FROM)
                && (theirs != length || output.asSlice(0, length).mismatch(compressed) != -1)) {
            throw new IllegalStateException("the two " + codec + " compressors wrote different blocks of " + size
                    + " bytes");
        }
        if (aircompressorDecompressor.decompress(compressed, decompressed) != size
                || decompressed.mismatch(input) != -1) {
            throw new IllegalStateException("aircompressor does not decode the FFM " + codec + " codec's block of "
                    + size + " bytes");
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
     * aircompressor's raw-address Java codec.
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
     * aircompressor's raw-address Java codec.
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
