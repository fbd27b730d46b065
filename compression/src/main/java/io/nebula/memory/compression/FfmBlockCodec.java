package io.nebula.memory.compression;

import io.airlift.compress.v3.Compressor;
import io.airlift.compress.v3.Decompressor;

import java.lang.foreign.MemorySegment;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntBiFunction;

/**
 * A codec instance that compresses and decompresses {@code MemorySegment}s through a pair of functions: the
 * {@link CodecImplementation#JAVA} implementations of the module's own, on the FFM API alone, LZ4
 * ({@link Lz4BlockCompressor}, {@link Lz4BlockDecompressor}) and Snappy ({@link SnappyBlockCompressor},
 * {@link SnappyBlockDecompressor}), or an aircompressor codec, whose native implementations call their C library
 * through the FFM API.
 *
 * <p>The module's own codecs use the FFM API alone and no restricted method: every access is a
 * bounds-checked {@code MemorySegment} access, so they read and write any segment the FFM API can, heap or native,
 * read-only input included. aircompressor's take native segments and writable heap segments over a {@code byte[]}
 * (see {@link BlockCodec#acceptsDirectly(MemorySegment)}).
 */
final class FfmBlockCodec extends BlockCodec {

    private final boolean anySegment;
    private final IntUnaryOperator bound;
    private final ToIntBiFunction<MemorySegment, MemorySegment> compressor;
    private final ToIntBiFunction<MemorySegment, MemorySegment> decompressor;

    private FfmBlockCodec(Codec codec, boolean anySegment, IntUnaryOperator bound,
                          ToIntBiFunction<MemorySegment, MemorySegment> compressor,
                          ToIntBiFunction<MemorySegment, MemorySegment> decompressor) {
        super(codec);
        this.anySegment = anySegment;
        this.bound = bound;
        this.compressor = compressor;
        this.decompressor = decompressor;
    }

    /** Returns a new instance of the LZ4 codec: its compressor's hash table is this instance's. */
    static FfmBlockCodec lz4() {
        return new FfmBlockCodec(Codec.LZ4, true, Lz4BlockCompressor::maxCompressedLength,
                new Lz4BlockCompressor()::compress, new Lz4BlockDecompressor()::decompress);
    }

    /** Returns a new instance of the Snappy codec: its compressor's hash table is this instance's. */
    static FfmBlockCodec snappy() {
        return new FfmBlockCodec(Codec.SNAPPY, true, SnappyBlockCompressor::maxCompressedLength,
                new SnappyBlockCompressor()::compress, new SnappyBlockDecompressor()::decompress);
    }

    /**
     * Returns an instance of an aircompressor codec.
     *
     * @param codec        the codec it implements
     * @param compressor   aircompressor's compressor, for this instance alone
     * @param decompressor aircompressor's decompressor, for this instance alone
     * @return the instance
     */
    static FfmBlockCodec airlift(Codec codec, Compressor compressor, Decompressor decompressor) {
        return new FfmBlockCodec(codec, false, compressor::maxCompressedLength, compressor::compress,
                decompressor::decompress);
    }

    @Override
    int maxCompressedLength(int rawLength) {
        return bound.applyAsInt(rawLength);
    }

    @Override
    int compress(MemorySegment raw, MemorySegment out) {
        return compressor.applyAsInt(raw, out);
    }

    @Override
    int decompress(MemorySegment stored, MemorySegment raw) {
        return decompressor.applyAsInt(stored, raw);
    }

    @Override
    boolean acceptsDirectly(MemorySegment segment) {
        return anySegment || super.acceptsDirectly(segment);
    }
}
