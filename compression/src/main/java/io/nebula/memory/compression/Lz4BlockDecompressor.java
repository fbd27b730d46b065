package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

import static io.nebula.memory.compression.Lz4BlockCompressor.MIN_MATCH;
import static io.nebula.memory.compression.Lz4BlockCompressor.RUN_MASK;
import static io.nebula.memory.compression.Lz77.BYTE;
import static io.nebula.memory.compression.Lz77.SHORT;

/**
 * Reads the LZ4 block format, any writer's, on {@code MemorySegment}s alone. Every literal length, offset and match
 * length is checked against what remains of the payload and of the output before a byte moves, so a malformed
 * payload ends in a {@link CompressionException}, never in a read or write outside the two segments.
 *
 * <p>Copies move 8 bytes at a time where the output has room after them (the extra bytes are overwritten by what
 * follows), exactly near the end of the output; a match whose offset is under 8 overlaps its own output and is
 * copied as the repeating pattern it is.
 *
 * <p>Stateless; one instance may serve any number of blocks, on one thread at a time.
 */
final class Lz4BlockDecompressor {

    /** What a payload should be, for errors. */
    private static final String BLOCK = "an LZ4 block";

    /**
     * Decompresses all of {@code in} into {@code out}.
     *
     * @param in  an LZ4 block
     * @param out exactly as many bytes as the data had
     * @return the bytes written, which the caller compares with {@code out.byteSize()}
     * @throws CompressionException {@link CompressionError#CORRUPT_DATA}, its offset the payload's byte where the
     *     fault was found, when {@code in} is not an LZ4 block of at most {@code out.byteSize()} bytes
     */
    int decompress(MemorySegment in, MemorySegment out) {
        int inLength = (int) in.byteSize();
        int outLength = (int) out.byteSize();
        int ip = 0;
        int op = 0;
        while (true) {
            if (ip >= inLength) {
                throw malformed(ip, "the payload ends after " + op + " decoded bytes where a sequence token is"
                        + " expected; an LZ4 block ends with a run of literals");
            }
            int tokenAt = ip;
            int token = Byte.toUnsignedInt(in.get(BYTE, ip++));
            long literals = token >>> 4;
            if (literals == RUN_MASK) {
                int b;
                do {
                    if (ip >= inLength) {
                        throw malformed(ip, "the literal length of the sequence at byte " + tokenAt
                                + " runs past the end of the payload");
                    }
                    b = Byte.toUnsignedInt(in.get(BYTE, ip++));
                    literals += b;
                } while (b == 255 && literals <= outLength);
            }
            int run = Lz77.copyLiterals(in, ip, out, op, literals, BLOCK, "sequence", tokenAt);
            ip += run;
            op += run;
            if (ip == inLength) {
                return op;
            }
            if (ip + 2 > inLength) {
                throw malformed(ip, "the payload ends inside the match offset of the sequence at byte " + tokenAt);
            }
            int offset = Short.toUnsignedInt(in.get(SHORT, ip));
            if (offset == 0 || offset > op) {
                throw malformed(ip, "the sequence at byte " + tokenAt + " has a match offset of " + offset
                        + " at output byte " + op + "; it must be 1 to " + Math.min(op, Lz4BlockCompressor.MAX_OFFSET));
            }
            ip += 2;
            long matchLength = token & RUN_MASK;
            if (matchLength == RUN_MASK) {
                int b;
                do {
                    if (ip >= inLength) {
                        throw malformed(ip, "the match length of the sequence at byte " + tokenAt
                                + " runs past the end of the payload");
                    }
                    b = Byte.toUnsignedInt(in.get(BYTE, ip++));
                    matchLength += b;
                } while (b == 255 && matchLength <= outLength);
            }
            matchLength += MIN_MATCH;
            if (matchLength > outLength - op) {
                throw malformed(tokenAt, "the sequence at byte " + tokenAt + " copies a match of " + matchLength
                        + " bytes at output byte " + op + ", past the output's " + outLength + " bytes");
            }
            int length = (int) matchLength;
            Lz77.copyMatch(out, op, offset, length, outLength);
            op += length;
        }
    }

    private static CompressionException malformed(long payloadOffset, String details) {
        return Lz77.malformed(BLOCK, payloadOffset, details);
    }
}
