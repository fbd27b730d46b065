package io.nebula.memory.benchmarks;

import io.nebula.memory.compression.Codec;
import io.nebula.memory.compression.CodecImplementation;
import io.nebula.memory.compression.CompressedStore;
import io.nebula.memory.compression.DataSets;
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
 * The four codecs side by side in the store, on 64 KiB of text and of 32-byte records: the measurement behind the
 * choice of LZ4 as the default. LZ4, Snappy and DEFLATE run their Java implementations (the module's own FFM codecs,
 * the JDK's zlib); Zstandard, which has none, runs natively (libzstd), so its row is not a like-for-like comparison.
 * {@code storePutFree} and {@code storeGet} are those of {@link CompressionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class CodecComparisonBenchmark {

    /** The store's codec. */
    @Param({"LZ4", "ZSTD", "SNAPPY", "DEFLATE"})
    public String codec;

    /** The data set. */
    @Param({"TEXT", "STRUCTS"})
    public String data;

    private Arena arena;
    private MemorySegment input;
    private MemorySegment output;
    private CompressedStore store;
    private long handle;

    /** Prepares 64 KiB of data and one stored block. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        input = arena.allocate(65536, 64).copyFrom(DataSets.valueOf(data).generate(65536, 42));
        output = arena.allocate(65536, 64);
        Codec c = Codec.valueOf(codec);
        store = CompressedStore.create(StoreConfig.defaults().withCodec(c).withImplementation(
                c.hasJavaImplementation() ? CodecImplementation.JAVA : CodecImplementation.NATIVE));
        handle = store.put(input);
    }

    /** Frees everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        arena.close();
    }

    /**
     * Put, then free.
     *
     * @return the handle
     */
    @Benchmark
    public long storePutFree() {
        long h = store.put(input);
        store.free(h);
        return h;
    }

    /**
     * Get.
     *
     * @return the decompressed length
     */
    @Benchmark
    public long storeGet() {
        return store.get(handle, output);
    }
}
