package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import static io.nebula.memory.compression.Lz4BlockCompressor.MIN_MATCH;
import static io.nebula.memory.compression.Lz4BlockCompressor.RUN_MASK;

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

    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Room a short run needs after it to be copied as two longs. */
    private static final int WILD = 16;
    /** Literal runs up to this long are copied a long at a time where both segments have room after them. */
    private static final int WILD_LOOP = 128;
    /** A repeating match longer than this is copied in doubling bulk copies. */
    private static final int LONG_RUN = 64;

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
            if (literals > inLength - ip || literals > outLength - op) {
                throw malformed(tokenAt, "the sequence at byte " + tokenAt + " has " + literals + " literals but "
                        + (inLength - ip) + " payload bytes remain and " + (outLength - op)
                        + " output bytes (of " + outLength + ")");
            }
            int run = (int) literals;
            if (run <= WILD && ip + WILD <= inLength && op + WILD <= outLength) {
                out.set(LONG, op, in.get(LONG, ip));
                out.set(LONG, op + 8, in.get(LONG, ip + 8));
            } else if (run <= WILD_LOOP && ip + run + Long.BYTES <= inLength && op + run + Long.BYTES <= outLength) {
                for (int i = 0; i < run; i += Long.BYTES) {
                    out.set(LONG, op + i, in.get(LONG, ip + i));
                }
            } else {
                MemorySegment.copy(in, ip, out, op, run);
            }
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
            if (offset >= WILD && length <= WILD && op + WILD <= outLength) {
                // The common short match: two longs, neither overlapping what it writes.
                out.set(LONG, op, out.get(LONG, op - offset));
                out.set(LONG, op + 8, out.get(LONG, op - offset + 8));
            } else {
                copyMatch(out, op, offset, length, outLength);
            }
            op += length;
        }
    }

    /** Copies {@code length} bytes from {@code offset} bytes back, as LZ4 defines it: byte after byte. */
    private static void copyMatch(MemorySegment out, int op, int offset, int length, int outLength) {
        int end = op + length;
        int ref = op - offset;
        if (offset < Long.BYTES) {
            // The match repeats its first `offset` bytes. Write them until the pattern is 8 bytes or more away,
            // then copy from a whole number of periods back, where longs no longer overlap what they write.
            int period = offset * ((Long.BYTES + offset - 1) / offset);
            int head = Math.min(end, op + period);
            while (op < head) {
                out.set(BYTE, op, out.get(BYTE, ref));
                op++;
                ref++;
            }
            if (op == end) {
                return;
            }
            // A long run (zeros, a repeated byte): copy what is written so far, doubling each time.
            int start = end - length - offset;
            while (end - op > LONG_RUN) {
                int n = Math.min(op - start, end - op);
                MemorySegment.copy(out, start, out, op, n);
                op += n;
            }
            ref = op - period;
        }
        if (end + Long.BYTES <= outLength) {
            while (op < end) {
                out.set(LONG, op, out.get(LONG, ref));
                op += Long.BYTES;
                ref += Long.BYTES;
            }
        } else if (op - ref >= end - op) {
            MemorySegment.copy(out, ref, out, op, end - op);
        } else {
            while (op < end) {
                out.set(BYTE, op, out.get(BYTE, ref));
                op++;
                ref++;
            }
        }
    }

    private static CompressionException malformed(long payloadOffset, String details) {
        return new CompressionException(CompressionError.CORRUPT_DATA, "", payloadOffset, details,
                List.of("Do not use this data: it is not an LZ4 block of the recorded length.",
                        "If nebula-memory wrote it, report it with the block's bytes: it is a codec bug."),
                null);
    }
}
