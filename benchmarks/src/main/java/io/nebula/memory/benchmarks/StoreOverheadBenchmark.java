package io.nebula.memory.benchmarks;

import io.airlift.compress.v3.zstd.ZstdNativeCompressor;
import io.nebula.memory.compression.Codec;
import io.nebula.memory.compression.CompressedStore;
import io.nebula.memory.compression.DataSets;
import io.nebula.memory.compression.FfmCodecForBenchmarks;
import io.nebula.memory.compression.StoreConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The store's own cost, without a codec: what {@link CompressionBenchmark}'s store methods add to the codec,
 * measured on its own so that it is not lost in the codec's noise. A store of {@link Codec#NONE} is given the
 * compressed payload that LZ4 (the module's FFM codec) or Zstandard (libzstd, its only implementation) makes of the
 * data set, so it handles blocks of exactly the stored size:
 *
 * <ul>
 *   <li>{@code putFreeWithoutCodec}: the put path (input checks, the payload copied into the scratch block, header
 *       and CRC32C, the copy into a chunk, a slot) and the free; minus {@code copyPayload}, it is what a put adds to
 *       the codec's compression;</li>
 *   <li>{@code getWithoutCodec}: the get path (handle check, destination checks, header checks and CRC32C, length
 *       check) around a copy of the payload; minus {@code copyPayload}, it is what a get adds to the codec's
 *       decompression;</li>
 *   <li>{@code copyPayload}: {@code MemorySegment.copy} of the payload, the stand-in for the codec above.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class StoreOverheadBenchmark {

    /** The codec whose payload the blocks hold. */
    @Param({"LZ4", "ZSTD"})
    public String codec;

    /** The data set. */
    @Param({"TEXT", "STRUCTS"})
    public String data;

    /** Bytes of data before compression. */
    @Param({"4096", "65536"})
    public int size;

    private Arena arena;
    private MemorySegment payload;
    private MemorySegment destination;
    private CompressedStore store;
    private long handle;

    /** Compresses the data set once and stores the payload uncompressed. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        MemorySegment input = arena.allocate(size, 64).copyFrom(DataSets.valueOf(data).generate(size, 42));
        int length;
        MemorySegment out;
        if ("LZ4".equals(codec)) {
            FfmCodecForBenchmarks lz4 = FfmCodecForBenchmarks.lz4();
            out = arena.allocate(lz4.maxCompressedLength(size), 64);
            length = lz4.compress(input, out);
        } else {
            ZstdNativeCompressor zstd = new ZstdNativeCompressor(3); // the store's level
            out = arena.allocate(zstd.maxCompressedLength(size), 64);
            length = zstd.compress(input, out);
        }
        payload = arena.allocate(length, 64).copyFrom(out.asSlice(0, length));
        destination = arena.allocate(length, 64);
        store = CompressedStore.create(StoreConfig.defaults().withCodec(Codec.NONE));
        handle = store.put(payload);
    }

    /** Frees everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        arena.close();
    }

    /**
     * The put path and free, around a copy of the payload.
     *
     * @return the handle
     */
    @Benchmark
    public long putFreeWithoutCodec() {
        long h = store.put(payload);
        store.free(h);
        return h;
    }

    /**
     * The get path, around a copy of the payload.
     *
     * @return the bytes written
     */
    @Benchmark
    public long getWithoutCodec() {
        return store.get(handle, destination);
    }

    /**
     * The copy alone.
     *
     * @return the destination's size
     */
    @Benchmark
    public long copyPayload() {
        MemorySegment.copy(payload, 0, destination, 0, payload.byteSize());
        return destination.byteSize();
    }
}
