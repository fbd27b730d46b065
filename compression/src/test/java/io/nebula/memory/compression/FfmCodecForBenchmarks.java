package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

/**
 * The module's own FFM codecs (LZ4 and Snappy, package-private: {@link FfmBlockCodec}) for the benchmarks, which
 * live in another package and reach them through this module's test jar, as they reach {@link DataSets}. One
 * instance per thread.
 */
public final class FfmCodecForBenchmarks {

    private final FfmBlockCodec codec;

    private FfmCodecForBenchmarks(FfmBlockCodec codec) {
        this.codec = codec;
    }

    /**
     * Returns an instance of the LZ4 codec, the default's Java implementation.
     *
     * @return a compressor and a decompressor
     */
    public static FfmCodecForBenchmarks lz4() {
        return new FfmCodecForBenchmarks(FfmBlockCodec.lz4());
    }

    /**
     * Returns an instance of the Snappy codec, Snappy's Java implementation.
     *
     * @return a compressor and a decompressor
     */
    public static FfmCodecForBenchmarks snappy() {
        return new FfmCodecForBenchmarks(FfmBlockCodec.snappy());
    }

    /**
     * Returns the codec's bound on the compressed length.
     *
     * @param rawLength the data's length
     * @return the most bytes {@link #compress} writes
     */
    public int maxCompressedLength(int rawLength) {
        return codec.maxCompressedLength(rawLength);
    }

    /**
     * Compresses all of {@code raw} into the start of {@code out}.
     *
     * @param raw the data
     * @param out at least {@link #maxCompressedLength(int)} bytes
     * @return the compressed length
     */
    public int compress(MemorySegment raw, MemorySegment out) {
        return codec.compress(raw, out);
    }

    /**
     * Decompresses all of {@code block} into {@code raw}.
     *
     * @param block a block of the codec
     * @param raw   exactly the data's length
     * @return the bytes written
     */
    public int decompress(MemorySegment block, MemorySegment raw) {
        return codec.decompress(block, raw);
    }
}
