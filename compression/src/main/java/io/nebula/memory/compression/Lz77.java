package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What the LZ77 block formats here (LZ4, Snappy) share on {@code MemorySegment}s: how far a match runs, and copying a
 * run of literals or a match whose bounds the caller has checked. Each method reads and writes only inside the
 * limits it is given; reading or writing a few bytes past a run, where the segment has room, is how short runs are
 * copied a long at a time, and the bytes written past a run are overwritten by what follows it.
 */
final class Lz77 {

    /** Little-endian, unaligned: the byte order of both formats' fields. */
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian, unaligned. */
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian, unaligned. */
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A byte. */
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Room a short run needs after it in both segments to be copied as two longs. */
    private static final int WILD = 16;
    /** Runs up to this long are copied a long at a time where both segments have room after them. */
    private static final int WILD_LOOP = 128;
    /** A repeating match longer than this is copied in doubling bulk copies. */
    private static final int LONG_RUN = 64;

    private Lz77() {
    }

    /**
     * Counts the bytes from {@code ip} and {@code ref} on that are equal, 8 at a time, up to {@code limit}.
     *
     * @param in    the input
     * @param ip    where the match continues, before {@code limit}
     * @param ref   where its earlier copy continues, before {@code ip}
     * @param limit the first byte the match may not include, at most the input's size
     * @return how many bytes match, at most {@code limit - ip}
     */
    static int matchLength(MemorySegment in, int ip, int ref, int limit) {
        int start = ip;
        while (ip <= limit - Long.BYTES) {
            long diff = in.get(LONG, ip) ^ in.get(LONG, ref);
            if (diff != 0) {
                return ip - start + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            ip += Long.BYTES;
            ref += Long.BYTES;
        }
        while (ip < limit && in.get(BYTE, ip) == in.get(BYTE, ref)) {
            ip++;
            ref++;
        }
        return ip - start;
    }

    /**
     * Copies a run of {@code length} bytes: two longs when it is short and both segments have 16 bytes of room, a
     * long at a time when it is at most 128 bytes and both have room for the last long, else exactly.
     *
     * @param in       the source
     * @param ip       where the run starts in {@code in}
     * @param inLimit  the end of what may be read from {@code in}; {@code ip + length} is at most this
     * @param out      the destination
     * @param op       where the run goes in {@code out}
     * @param outLimit the end of what may be written in {@code out}; {@code op + length} is at most this
     * @param length   the run's length
     */
    static void copyRun(MemorySegment in, int ip, int inLimit, MemorySegment out, int op, int outLimit, int length) {
        // The short case here, the rest in a method of its own: this one stays small enough for the JIT to inline
        // into the codecs' loops.
        if (length <= WILD && ip + WILD <= inLimit && op + WILD <= outLimit) {
            out.set(LONG, op, in.get(LONG, ip));
            out.set(LONG, op + 8, in.get(LONG, ip + 8));
        } else {
            copyLongRun(in, ip, inLimit, out, op, outLimit, length);
        }
    }

    private static void copyLongRun(MemorySegment in, int ip, int inLimit, MemorySegment out, int op, int outLimit,
                                    int length) {
        if (length <= WILD_LOOP && ip + length + Long.BYTES <= inLimit && op + length + Long.BYTES <= outLimit) {
            for (int i = 0; i < length; i += Long.BYTES) {
                out.set(LONG, op + i, in.get(LONG, ip + i));
            }
        } else {
            MemorySegment.copy(in, ip, out, op, length);
        }
    }

    /**
     * Checks that a decoder's run of {@code literals} bytes fits in what remains of the payload and of the output,
     * then copies it.
     *
     * @param in        the payload
     * @param ip        where the run starts in it
     * @param out       the output
     * @param op        where the run goes
     * @param literals  the run's length as read, possibly far beyond both segments
     * @param block     what the payload should be, such as {@code "an LZ4 block"}, for the error
     * @param element   the format's name for the element that holds the run, for the error
     * @param elementAt the payload byte where that element starts, the error's offset
     * @return the run's length
     * @throws CompressionException {@link CompressionError#CORRUPT_DATA} when the run does not fit
     */
    static int copyLiterals(MemorySegment in, int ip, MemorySegment out, int op, long literals, String block,
                            String element, int elementAt) {
        int inLength = (int) in.byteSize();
        int outLength = (int) out.byteSize();
        if (literals > inLength - ip || literals > outLength - op) {
            throw literalsOverrun(ip, inLength, op, outLength, literals, block, element, elementAt);
        }
        int run = (int) literals;
        copyRun(in, ip, inLength, out, op, outLength, run);
        return run;
    }

    /** The error of a run of literals that does not fit: kept out of {@link #copyLiterals}, which is hot. */
    private static CompressionException literalsOverrun(int ip, int inLength, int op, int outLength, long literals,
                                                        String block, String element, int elementAt) {
        return malformed(block, elementAt, "the " + element + " at byte " + elementAt + " has " + literals
                + " literals but " + (inLength - ip) + " payload bytes remain and " + (outLength - op)
                + " output bytes (of " + outLength + ")");
    }

    /**
     * Copies a match of {@code length} bytes from {@code offset} bytes back in the output, as both formats define
     * it: byte after byte, so that a match longer than its offset repeats its first {@code offset} bytes.
     *
     * @param out       the output
     * @param op        where the match goes
     * @param offset    1 to {@code op}
     * @param length    at most {@code outLength - op}
     * @param outLength the output's size
     */
    static void copyMatch(MemorySegment out, int op, int offset, int length, int outLength) {
        if (offset >= WILD && length <= WILD && op + WILD <= outLength) {
            // The common short match: two longs, neither overlapping what it writes.
            out.set(LONG, op, out.get(LONG, op - offset));
            out.set(LONG, op + 8, out.get(LONG, op - offset + 8));
        } else {
            copyLongMatch(out, op, offset, length, outLength);
        }
    }

    private static void copyLongMatch(MemorySegment out, int op, int offset, int length, int outLength) {
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

    /**
     * Returns the error of a payload that is not a block of its format.
     *
     * @param block         what the payload should be, such as {@code "an LZ4 block"}
     * @param payloadOffset the payload's byte where the fault was found
     * @param details       what is wrong, with its numbers
     * @return a {@link CompressionError#CORRUPT_DATA} error
     */
    static CompressionException malformed(String block, long payloadOffset, String details) {
        return new CompressionException(CompressionError.CORRUPT_DATA, "", payloadOffset, details,
                List.of("Do not use this data: it is not " + block + " of the recorded length.",
                        "If nebula-memory wrote it, report it with the block's bytes: it is a codec bug."),
                null);
    }
}
