package io.nebula.memory.compression;

import io.airlift.compress.v3.Compressor;
import io.airlift.compress.v3.Decompressor;

import java.lang.foreign.MemorySegment;

/** An aircompressor codec, Java or native, on {@code MemorySegment}s. */
final class AirliftBlockCodec extends BlockCodec {

    private final Compressor compressor;
    private final Decompressor decompressor;

    AirliftBlockCodec(Codec codec, Compressor compressor, Decompressor decompressor) {
        super(codec);
        this.compressor = compressor;
        this.decompressor = decompressor;
    }

    @Override
    int maxCompressedLength(int rawLength) {
        return compressor.maxCompressedLength(rawLength);
    }

    @Override
    int compress(MemorySegment raw, MemorySegment out) {
        return compressor.compress(raw, out);
    }

    @Override
    int decompress(MemorySegment stored, MemorySegment raw) {
        return decompressor.decompress(stored, raw);
    }
}
