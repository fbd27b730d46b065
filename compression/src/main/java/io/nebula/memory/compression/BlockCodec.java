package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

/**
 * One instance of a codec, used by one thread at a time: compresses a segment into another and back. Subclasses
 * run the module's own LZ4 and Snappy or aircompressor's native codecs ({@link FfmBlockCodec}), the JDK's zlib, or
 * a plain copy.
 *
 * <p>Callers pass segments that are alive, accessible from the calling thread and, for
 * {@link #acceptsDirectly(MemorySegment)}, of a kind the codec can address; the codec does not check again.
 */
abstract class BlockCodec implements AutoCloseable {

    private final Codec codec;

    BlockCodec(Codec codec) {
        this.codec = codec;
    }

    /** Returns the codec this instance implements. */
    final Codec codec() {
        return codec;
    }

    /**
     * Returns the most bytes that compressing {@code rawLength} bytes can produce.
     *
     * @param rawLength at most {@link BlockFormat#MAX_RAW_BYTES}
     * @return the bound
     */
    abstract int maxCompressedLength(int rawLength);

    /**
     * Compresses all of {@code raw} into the start of {@code out}.
     *
     * @param raw the data
     * @param out at least {@link #maxCompressedLength(int)} bytes
     * @return the compressed length
     */
    abstract int compress(MemorySegment raw, MemorySegment out);

    /**
     * Decompresses all of {@code stored} into {@code raw}.
     *
     * @param stored the compressed payload
     * @param raw    exactly as many bytes as the data had
     * @return the bytes written, which the caller compares with {@code raw.byteSize()}
     * @throws RuntimeException any exception of the underlying codec on malformed input; the caller translates
     */
    abstract int decompress(MemorySegment stored, MemorySegment raw);

    /**
     * Tells whether the codec can read or write {@code segment} itself. aircompressor's codecs take native segments
     * and writable heap segments over a {@code byte[]}, so a heap segment over another array, or a read-only one,
     * goes through a native copy first; the module's own LZ4 and Snappy codecs take any segment.
     *
     * @param segment a segment to compress from or decompress into
     * @return {@code true} when no copy is needed
     */
    boolean acceptsDirectly(MemorySegment segment) {
        return segment.isNative()
                || (!segment.isReadOnly() && segment.heapBase().orElse(null) instanceof byte[]);
    }

    /** Frees what the instance holds outside the heap; the default holds nothing. */
    @Override
    public void close() {
    }
}
