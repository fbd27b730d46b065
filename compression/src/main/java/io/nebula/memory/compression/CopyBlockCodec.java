package io.nebula.memory.compression;

import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.MemorySegment;

/** {@link Codec#NONE}: the payload is the data. */
final class CopyBlockCodec extends BlockCodec {

    CopyBlockCodec() {
        super(Codec.NONE);
    }

    @Override
    int maxCompressedLength(int rawLength) {
        return rawLength;
    }

    @Override
    int compress(MemorySegment raw, MemorySegment out) {
        MemoryKernels.copy(raw, 0, out, 0, raw.byteSize());
        return (int) raw.byteSize();
    }

    @Override
    int decompress(MemorySegment stored, MemorySegment raw) {
        long n = Math.min(stored.byteSize(), raw.byteSize());
        MemoryKernels.copy(stored, 0, raw, 0, n);
        return stored.byteSize() == raw.byteSize() ? (int) n : -1;
    }

    @Override
    boolean acceptsDirectly(MemorySegment segment) {
        return true;
    }
}
