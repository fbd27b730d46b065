package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

/**
 * {@link Codec#LZ4}'s {@link CodecImplementation#JAVA} implementation: the LZ4 block format on the FFM API alone
 * ({@link Lz4BlockCompressor}, {@link Lz4BlockDecompressor}), no {@code sun.misc.Unsafe}. It reads and writes any
 * segment the FFM API can, heap or native, read-only input included.
 */
final class Lz4BlockCodec extends BlockCodec {

    private final Lz4BlockCompressor compressor = new Lz4BlockCompressor();
    private final Lz4BlockDecompressor decompressor = new Lz4BlockDecompressor();

    Lz4BlockCodec() {
        super(Codec.LZ4);
    }

    @Override
    int maxCompressedLength(int rawLength) {
        return Lz4BlockCompressor.maxCompressedLength(rawLength);
    }

    @Override
    int compress(MemorySegment raw, MemorySegment out) {
        return compressor.compress(raw, out);
    }

    @Override
    int decompress(MemorySegment stored, MemorySegment raw) {
        return decompressor.decompress(stored, raw);
    }

    @Override
    boolean acceptsDirectly(MemorySegment segment) {
        return true;
    }
}
