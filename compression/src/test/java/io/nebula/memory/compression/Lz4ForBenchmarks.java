package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

/**
 * The store's LZ4 codec ({@link Lz4BlockCompressor}, {@link Lz4BlockDecompressor}, package-private) for the
 * benchmarks, which live in another package and reach it through this module's test jar, as they reach
 * {@link DataSets}. One instance per thread.
 */
public final class Lz4ForBenchmarks {

    private final Lz4BlockCompressor compressor = new Lz4BlockCompressor();
    private final Lz4BlockDecompressor decompressor = new Lz4BlockDecompressor();

    /** Creates a compressor and a decompressor. */
    public Lz4ForBenchmarks() {
    }

    /**
     * Returns LZ4's bound on the compressed length.
     *
     * @param rawLength the data's length
     * @return the most bytes {@link #compress} writes
     */
    public static int maxCompressedLength(int rawLength) {
        return Lz4BlockCompressor.maxCompressedLength(rawLength);
    }

    /**
     * Compresses all of {@code raw} into the start of {@code out}.
     *
     * @param raw the data
     * @param out at least {@link #maxCompressedLength(int)} bytes
     * @return the compressed length
     */
    public int compress(MemorySegment raw, MemorySegment out) {
        return compressor.compress(raw, out);
    }

    /**
     * Decompresses all of {@code block} into {@code raw}.
     *
     * @param block an LZ4 block
     * @param raw   exactly the data's length
     * @return the bytes written
     */
    public int decompress(MemorySegment block, MemorySegment raw) {
        return decompressor.decompress(block, raw);
    }
}
