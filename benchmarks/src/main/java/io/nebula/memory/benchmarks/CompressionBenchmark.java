package io.nebula.memory.benchmarks;

import io.airlift.compress.v3.zstd.ZstdNativeCompressor;
import io.airlift.compress.v3.zstd.ZstdNativeDecompressor;
import io.nebula.memory.compression.Codec;
import io.nebula.memory.compression.CodecImplementation;
import io.nebula.memory.compression.CompressedStore;
import io.nebula.memory.compression.DataSets;
import io.nebula.memory.compression.FfmCodecForBenchmarks;
import io.nebula.memory.compression.StoreConfig;
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
import java.util.function.ToIntBiFunction;
import java.util.zip.CRC32C;

/**
 * The compressed store against calling its codec directly on the same data: what the store's header, checksum,
 * copy and bookkeeping cost on top of the codec. The codec is the one the store runs: for LZ4 and Snappy the module's
 * own FFM codecs, the Java implementation (reached through the test jar's {@code FfmCodecForBenchmarks}); for
 * Zstandard, which has no Java implementation, libzstd through aircompressor's native codec, in the store too.
 *
 * <ul>
 *   <li>{@code directCompress}: the codec compresses the data into a preallocated segment (the implementation
 *       the store uses).</li>
 *   <li>{@code storePutFree}: {@code put} (compress into the store's scratch, CRC32C of the block, copy into a
 *       chunk, a slot) then {@code free}. Freeing the only block resets the chunk, so the loop stays in place.</li>
 *   <li>{@code directDecompress}: the codec decompresses the compressed data into a preallocated segment.</li>
 *   <li>{@code storeGet}: {@code get} into a preallocated segment (handle check, CRC32C of the stored block,
 *       decompression, length check).</li>
 *   <li>{@code crc32cOfStoredBlock}: the CRC32C alone over a block as large as the stored one: the part of
 *       {@code storeGet} that integrity costs.</li>
 * </ul>
 * The data are the compression tests' own data sets ({@code DataSets}): English text and 32-byte order records.
 *
 * <p>Each comparison is a JMH group of two threads that run at the same time, one calling the codec and one the
 * store, each on state of its own ({@code compress}: {@code directCompress} beside {@code storePutFree};
 * {@code decompress}: {@code directDecompress} beside {@code storeGet}). On a shared machine whose load changes from
 * minute to minute, benchmarks run one after the other are measured under different loads, and their ratio says
 * more about the load than about the code; two threads side by side see the same load. Both threads share the
 * machine's cores, so the absolute times are those of a loaded machine: read the ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class CompressionBenchmark {

    /** The codec, on both sides: Java for LZ4 and Snappy, native for Zstandard. */
    @Param({"LZ4", "SNAPPY", "ZSTD"})
    public String codec;

    /** The data set. */
    @Param({"TEXT", "STRUCTS"})
    public String data;

    /** Bytes of data per block. */
    @Param({"4096", "65536"})
    public int size;

    private Arena arena;
    private MemorySegment input;
    private MemorySegment compressed;
    private MemorySegment output;
    private MemorySegment decompressed;
    private MemorySegment block;
    private ToIntBiFunction<MemorySegment, MemorySegment> compressor;
    private ToIntBiFunction<MemorySegment, MemorySegment> decompressor;
    private CompressedStore store;
    private long handle;
    private final CRC32C crc = new CRC32C();

    /** Prepares the data, both sides, and one stored block to read. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        MemorySegment generated = DataSets.valueOf(data).generate(size, 42);
        input = arena.allocate(size, 64).copyFrom(generated);
        Codec c = Codec.valueOf(codec);
        int bound;
        if (c.hasJavaImplementation()) {
            FfmCodecForBenchmarks ffm = c == Codec.LZ4 ? FfmCodecForBenchmarks.lz4() : FfmCodecForBenchmarks.snappy();
            compressor = ffm::compress;
            decompressor = ffm::decompress;
            bound = ffm.maxCompressedLength(size);
        } else {
            ZstdNativeCompressor zstd = new ZstdNativeCompressor(3); // the store's level
            ZstdNativeDecompressor zstdDecompressor = new ZstdNativeDecompressor();
            compressor = zstd::compress;
            decompressor = zstdDecompressor::decompress;
            bound = zstd.maxCompressedLength(size);
        }
        output = arena.allocate(bound, 64);
        int length = compressor.applyAsInt(input, output);
        compressed = arena.allocate(length, 64).copyFrom(output.asSlice(0, length));
        decompressed = arena.allocate(size, 64);
        store = CompressedStore.create(StoreConfig.defaults().withCodec(c).withImplementation(
                c.hasJavaImplementation() ? CodecImplementation.JAVA : CodecImplementation.NATIVE));
        handle = store.put(input);
        block = arena.allocate(store.storedSize(handle), 64);
        long stored = store.storedSize(handle);
        if (stored != 24 + length && stored != 24 + size) {
            // Either the same payload as the direct codec, or the data itself when the codec does not shrink it
            // (as for the tiny sizes of the quick mode).
            throw new IllegalStateException("the store compressed differently: " + stored + " bytes stored");
        }
    }

    /** Frees everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        arena.close();
    }

    /**
     * The codec alone.
     *
     * @return the compressed length
     */
    @Benchmark
    @Group("compress")
    @GroupThreads(1)
    public int directCompress() {
        return compressor.applyAsInt(input, output);
    }

    /**
     * The store's put, then free.
     *
     * @return the handle
     */
    @Benchmark
    @Group("compress")
    @GroupThreads(1)
    public long storePutFree() {
        long h = store.put(input);
        store.free(h);
        return h;
    }

    /**
     * The codec alone.
     *
     * @return the decompressed length
     */
    @Benchmark
    @Group("decompress")
    @GroupThreads(1)
    public int directDecompress() {
        return decompressor.applyAsInt(compressed, decompressed);
    }

    /**
     * The store's get.
     *
     * @return the decompressed length
     */
    @Benchmark
    @Group("decompress")
    @GroupThreads(1)
    public long storeGet() {
        return store.get(handle, decompressed);
    }

    /**
     * The checksum that get verifies, alone.
     *
     * @return the checksum
     */
    @Benchmark
    public long crc32cOfStoredBlock() {
        crc.reset();
        crc.update(block.asByteBuffer());
        return crc.getValue();
    }
}
