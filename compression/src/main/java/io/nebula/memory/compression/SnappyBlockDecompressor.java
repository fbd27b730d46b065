package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;

import static io.nebula.memory.compression.Lz77.BYTE;
import static io.nebula.memory.compression.Lz77.INT;
import static io.nebula.memory.compression.Lz77.SHORT;
import static io.nebula.memory.compression.SnappyBlockCompressor.MIN_MATCH;
import static io.nebula.memory.compression.SnappyBlockCompressor.TAG_COPY_1;
import static io.nebula.memory.compression.SnappyBlockCompressor.TAG_COPY_2;
import static io.nebula.memory.compression.SnappyBlockCompressor.TAG_LITERAL;

/**
 * Reads Snappy's raw block format, any writer's, on {@code MemorySegment}s alone. The uncompressed length the block
 * declares must be the output's; every literal length, offset and copy length is checked against what remains of
 * the payload and of the output before a byte moves, so a malformed payload ends in a {@link CompressionException},
 * never in a read or write outside the two segments. Copies are {@link Lz77}'s, as for LZ4.
 *
 * <p>Stateless; one instance may serve any number of blocks, on one thread at a time.
 */
final class SnappyBlockDecompressor {

    /** What a payload should be, for errors. */
    private static final String BLOCK = "a Snappy block";

    /** A varint of an {@code int} has at most 5 bytes. */
    private static final int MAX_VARINT_BYTES = 5;
    /** A literal tag's length field from which the length (minus one) follows in 1 to 4 bytes. */
    private static final int LITERAL_LENGTH_BYTES_FROM = 60;

    /**
     * Decompresses all of {@code in} into {@code out}.
     *
     * @param in  a Snappy block
     * @param out exactly as many bytes as the data had
     * @return the bytes written, which the caller compares with {@code out.byteSize()}
     * @throws CompressionException {@link CompressionError#CORRUPT_DATA}, its offset the payload's byte where the
     *     fault was found, when {@code in} is not a Snappy block of {@code out.byteSize()} bytes
     */
    int decompress(MemorySegment in, MemorySegment out) {
        int inLength = (int) in.byteSize();
        int outLength = (int) out.byteSize();
        long declared = 0;
        int ip = 0;
        int b;
        do {
            if (ip >= inLength || ip == MAX_VARINT_BYTES) {
                throw malformed(ip, "the uncompressed length, a varint at byte 0, "
                        + (ip >= inLength ? "runs past the end of the payload" : "is longer than 5 bytes"));
            }
            b = Byte.toUnsignedInt(in.get(BYTE, ip));
            declared |= (long) (b & 0x7F) << (7 * ip);
            ip++;
        } while (b >= 0x80);
        if (declared != outLength) {
            throw malformed(0, "the block declares " + declared + " uncompressed bytes but " + outLength
                    + " are recorded");
        }
        int op = 0;
        while (ip < inLength) {
            int tagAt = ip;
            int tag = Byte.toUnsignedInt(in.get(BYTE, ip++));
            int kind = tag & 3;
            if (kind == TAG_LITERAL) {
                long literals = (tag >>> 2) + 1;
                if (literals > LITERAL_LENGTH_BYTES_FROM) {
                    int lengthBytes = (int) literals - LITERAL_LENGTH_BYTES_FROM;
                    requireBytes(in, ip, lengthBytes, tagAt, "literal length");
                    literals = littleEndian(in, ip, lengthBytes) + 1;
                    ip += lengthBytes;
                }
                int run = Lz77.copyLiterals(in, ip, out, op, literals, BLOCK, "literal element", tagAt);
                ip += run;
                op += run;
                continue;
            }
            int length;
            long offset;
            if (kind == TAG_COPY_1) {
                requireBytes(in, ip, 1, tagAt, "offset");
                length = ((tag >>> 2) & 7) + MIN_MATCH;
                offset = (tag >>> 5) << 8 | Byte.toUnsignedInt(in.get(BYTE, ip));
                ip += 1;
            } else if (kind == TAG_COPY_2) {
                requireBytes(in, ip, 2, tagAt, "offset");
                length = (tag >>> 2) + 1;
                offset = Short.toUnsignedInt(in.get(SHORT, ip));
                ip += 2;
            } else { // a copy with a 4-byte offset, which libsnappy reads but does not write
                requireBytes(in, ip, 4, tagAt, "offset");
                length = (tag >>> 2) + 1;
                offset = Integer.toUnsignedLong(in.get(INT, ip));
                ip += 4;
            }
            if (offset == 0 || offset > op) {
                throw malformed(tagAt, "the copy at byte " + tagAt + " has an offset of " + offset
                        + " at output byte " + op + "; it must be 1 to " + op);
            }
            if (length > outLength - op) {
                throw malformed(tagAt, "the copy at byte " + tagAt + " copies " + length + " bytes at output byte "
                        + op + ", past the output's " + outLength + " bytes");
            }
            Lz77.copyMatch(out, op, (int) offset, length, outLength);
            op += length;
        }
        return op;
    }

    private static void requireBytes(MemorySegment in, int ip, int bytes, int tagAt, String what) {
        if (bytes > in.byteSize() - ip) {
            throw malformed(tagAt, "the payload ends inside the " + what + " of the element at byte " + tagAt
                    + ": " + bytes + " bytes needed, " + (in.byteSize() - ip) + " remain");
        }
    }

    /** Reads an unsigned little-endian number of 1 to 4 bytes. */
    private static long littleEndian(MemorySegment in, int ip, int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (long) Byte.toUnsignedInt(in.get(BYTE, ip + i)) << (8 * i);
        }
        return value;
    }

    private static CompressionException malformed(long payloadOffset, String details) {
        return Lz77.malformed(BLOCK, payloadOffset, details);
    }
}
