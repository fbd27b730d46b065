package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * {@link Codec#DEFLATE} on the JDK's zlib: raw DEFLATE streams (no zlib header or checksum; the block header has
 * the checksum), through {@code ByteBuffer} views of the segments. One {@link Deflater} and one {@link Inflater}
 * are reset and reused, so a block costs no zlib stream set-up.
 */
final class JdkDeflateBlockCodec extends BlockCodec {

    private final Deflater deflater;
    private final Inflater inflater = new Inflater(true);

    JdkDeflateBlockCodec(int level) {
        super(Codec.DEFLATE);
        this.deflater = new Deflater(level, true);
    }

    @Override
    int maxCompressedLength(int rawLength) {
        // zlib's deflateBound for raw streams, with room to spare: stored blocks cost 5 bytes per 16 KiB.
        return rawLength + (rawLength >>> 12) + (rawLength >>> 14) + (rawLength >>> 25) + 64;
    }

    @Override
    int compress(MemorySegment raw, MemorySegment out) {
        deflater.reset();
        deflater.setInput(raw.asByteBuffer());
        deflater.finish();
        ByteBuffer output = out.asByteBuffer();
        while (!deflater.finished()) {
            int written = deflater.deflate(output);
            if (written == 0 && !output.hasRemaining()) {
                throw new IllegalStateException("DEFLATE output exceeded its bound of " + out.byteSize() + " bytes");
            }
        }
        return output.position();
    }

    @Override
    int decompress(MemorySegment stored, MemorySegment raw) {
        inflater.reset();
        inflater.setInput(stored.asByteBuffer());
        ByteBuffer output = raw.asByteBuffer();
        try {
            while (!inflater.finished()) {
                int written = inflater.inflate(output);
                if (written == 0 && !inflater.finished()) {
                    if (inflater.needsInput()) {
                        throw new IllegalArgumentException("the DEFLATE stream ends before its last block");
                    }
                    if (inflater.needsDictionary()) {
                        throw new IllegalArgumentException("the DEFLATE stream asks for a preset dictionary");
                    }
                    if (!output.hasRemaining()) {
                        throw new IllegalArgumentException("the DEFLATE stream holds more than "
                                + raw.byteSize() + " bytes");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("invalid DEFLATE stream: " + e.getMessage(), e);
        }
        if (inflater.getRemaining() != 0) {
            throw new IllegalArgumentException(inflater.getRemaining() + " bytes follow the end of the DEFLATE stream");
        }
        return output.position();
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
    }
}
