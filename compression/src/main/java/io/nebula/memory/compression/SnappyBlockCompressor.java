package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.nebula.memory.compression.Lz77.BYTE;
import static io.nebula.memory.compression.Lz77.INT;
import static io.nebula.memory.compression.Lz77.LONG;
import static io.nebula.memory.compression.Lz77.SHORT;

/**
 * Writes Snappy's raw block format (<a href="https://github.com/google/snappy/blob/main/format_description.txt">
 * format_description.txt</a>) as libsnappy does, on {@code MemorySegment}s alone: the uncompressed length as a
 * varint, then literals and copies. The input is cut into fragments of 64 KiB, each compressed on its own (so every
 * offset fits a copy with a 2-byte offset); a hash table of the 4 bytes at a position finds match candidates, the
 * search steps further the longer it finds none, a candidate is a match when its 4 bytes are equal, and a match is
 * extended 8 bytes at a time. libsnappy and every Snappy decoder read what it writes; it is byte for byte what
 * aircompressor's Snappy (a port of libsnappy's algorithm) writes.
 *
 * <p>A copy is at most 64 bytes: a longer match is written as several, and one of 4 to 11 bytes at an offset under
 * 2048 as a 2-byte copy-1 element, as libsnappy writes them.
 *
 * <p>One instance per thread: it keeps its hash table from block to block and allocates nothing per block.
 */
final class SnappyBlockCompressor {

    /** The shortest match worth a copy, and the bytes the hash covers. */
    static final int MIN_MATCH = 4;
    /** Each fragment is compressed on its own, so offsets stay under 64 KiB. */
    static final int FRAGMENT_BYTES = 1 << 16;
    /** The longest copy one element holds. */
    static final int MAX_COPY = 64;

    /** A fragment shorter than this is written as one literal, and matches end this far before its end. */
    private static final int INPUT_MARGIN = 15;
    /** The hash table of a fragment has 2<sup>8</sup> to 2<sup>14</sup> entries, no more than it has bytes. */
    private static final int MIN_HASH_LOG = 8;
    private static final int MAX_HASH_LOG = 14;
    /** libsnappy's hash multiplier. */
    private static final int HASH_MULTIPLIER = 0x1e35a7bd;
    /** After 2<sup>5</sup> failed probes the search advances 2 bytes at a time, then 3, as libsnappy's. */
    private static final int SKIP_TRIGGER = 5;
    /** Literal lengths up to this (minus one) fit the tag byte; longer ones take 1 to 4 bytes after it. */
    private static final int TAG_LITERAL_LIMIT = 60;
    /** A copy-1 element holds 4 to 11 bytes at an offset under 2048. */
    private static final int COPY_1_MAX_LENGTH = 11;
    private static final int COPY_1_MAX_OFFSET = 2047;
    /** The low 2 bits of an element's tag: a literal, a copy with a 1-byte or a 2-byte offset (3: a 4-byte one). */
    static final int TAG_LITERAL = 0;
    static final int TAG_COPY_1 = 1;
    static final int TAG_COPY_2 = 2;

    /** Fragment positions by the hash of the 4 bytes there; the part a fragment uses is cleared before it. */
    private final int[] table = new int[1 << MAX_HASH_LOG];

    /**
     * Returns the most bytes that compressing {@code rawLength} bytes produces: libsnappy's
     * {@code MaxCompressedLength}.
     *
     * @param rawLength at most {@link BlockFormat#MAX_RAW_BYTES}
     * @return the bound
     */
    static int maxCompressedLength(int rawLength) {
        return 32 + rawLength + rawLength / 6;
    }

    /**
     * Compresses all of {@code in} into the start of {@code out}.
     *
     * @param in  at most {@link BlockFormat#MAX_RAW_BYTES} bytes
     * @param out at least {@link #maxCompressedLength(int)} bytes
     * @return the compressed length
     */
    int compress(MemorySegment in, MemorySegment out) {
        int length = (int) in.byteSize();
        int outLimit = (int) Math.min(out.byteSize(), Integer.MAX_VALUE);
        int op = writeVarint(out, 0, length);
        for (int base = 0; base < length; base += FRAGMENT_BYTES) {
            op = compressFragment(in, base, Math.min(length, base + FRAGMENT_BYTES), out, op, outLimit);
        }
        return op;
    }

    private int compressFragment(MemorySegment in, int base, int end, MemorySegment out, int op, int outLimit) {
        int nextEmit = base;
        if (end - base >= INPUT_MARGIN) {
            int shift = Integer.SIZE - hashLog(end - base);
            Arrays.fill(table, 0, 1 << (Integer.SIZE - shift), 0);
            int ipLimit = end - INPUT_MARGIN;
            int ip = base + 1;
            int nextHash = hash(in.get(INT, ip), shift);
            search:
            while (true) {
                int nextIp = ip;
                int probes = 1 << SKIP_TRIGGER;
                int candidate;
                do {
                    ip = nextIp;
                    int h = nextHash;
                    nextIp = ip + (probes++ >>> SKIP_TRIGGER);
                    if (nextIp > ipLimit) {
                        break search;
                    }
                    nextHash = hash(in.get(INT, nextIp), shift);
                    candidate = base + table[h];
                    table[h] = ip - base;
                } while (in.get(INT, ip) != in.get(INT, candidate));

                op = writeLiteralTag(out, op, ip - nextEmit);
                Lz77.copyRun(in, nextEmit, end, out, op, outLimit, ip - nextEmit);
                op += ip - nextEmit;

                long sequence;
                do {
                    int start = ip;
                    ip += MIN_MATCH + Lz77.matchLength(in, ip + MIN_MATCH, candidate + MIN_MATCH, end);
                    op = writeCopies(out, op, start - candidate, ip - start);
                    nextEmit = ip;
                    if (ip >= ipLimit) {
                        break search;
                    }
                    // The 8 bytes from ip - 1: hash the position before the match's end and the end itself.
                    sequence = in.get(LONG, ip - 1);
                    table[hash((int) sequence, shift)] = ip - 1 - base;
                    int h = hash((int) (sequence >>> 8), shift);
                    candidate = base + table[h];
                    table[h] = ip - base;
                } while ((int) (sequence >>> 8) == in.get(INT, candidate));
                nextHash = hash((int) (sequence >>> 16), shift);
                ip++;
            }
        }
        if (nextEmit < end) {
            op = writeLiteralTag(out, op, end - nextEmit);
            MemorySegment.copy(in, nextEmit, out, op, end - nextEmit);
            op += end - nextEmit;
        }
        return op;
    }

    /** Returns the log of the fragment's hash table size: the smallest power of two it fits, in the limits. */
    private static int hashLog(int fragmentBytes) {
        int log = MIN_HASH_LOG;
        while (log < MAX_HASH_LOG && (1 << log) < fragmentBytes) {
            log++;
        }
        return log;
    }

    /** Hashes 4 bytes into {@code 32 - shift} bits: libsnappy's hash. */
    private static int hash(int bytes, int shift) {
        return (bytes * HASH_MULTIPLIER) >>> shift;
    }

    private static int writeVarint(MemorySegment out, int op, int value) {
        int rest = value;
        while ((rest & ~0x7F) != 0) {
            out.set(BYTE, op++, (byte) (rest | 0x80));
            rest >>>= 7;
        }
        out.set(BYTE, op++, (byte) rest);
        return op;
    }

    /** Writes a literal element's tag and length bytes; returns where its bytes go. */
    private static int writeLiteralTag(MemorySegment out, int op, int literals) {
        int n = literals - 1;
        if (n < TAG_LITERAL_LIMIT) {
            out.set(BYTE, op++, (byte) (n << 2 | TAG_LITERAL));
            return op;
        }
        int lengthBytes = (Integer.SIZE - Integer.numberOfLeadingZeros(n) + 7) >>> 3;
        out.set(BYTE, op++, (byte) ((TAG_LITERAL_LIMIT - 1 + lengthBytes) << 2 | TAG_LITERAL));
        for (int i = 0; i < lengthBytes; i++) {
            out.set(BYTE, op++, (byte) (n >>> (8 * i)));
        }
        return op;
    }

    /** Writes a match of {@code length} bytes at {@code offset} (under 64 KiB) as copy elements. */
    private static int writeCopies(MemorySegment out, int op, int offset, int length) {
        int rest = length;
        // Elements of 64 while at least 68 remain, then one of 60 if over 64 remain: the last is never under 4.
        while (rest >= MAX_COPY + MIN_MATCH) {
            op = writeCopy2(out, op, offset, MAX_COPY);
            rest -= MAX_COPY;
        }
        if (rest > MAX_COPY) {
            op = writeCopy2(out, op, offset, MAX_COPY - MIN_MATCH);
            rest -= MAX_COPY - MIN_MATCH;
        }
        if (rest <= COPY_1_MAX_LENGTH && offset <= COPY_1_MAX_OFFSET) {
            out.set(BYTE, op++, (byte) ((offset >>> 8) << 5 | (rest - MIN_MATCH) << 2 | TAG_COPY_1));
            out.set(BYTE, op++, (byte) offset);
            return op;
        }
        return writeCopy2(out, op, offset, rest);
    }

    private static int writeCopy2(MemorySegment out, int op, int offset, int length) {
        out.set(BYTE, op, (byte) ((length - 1) << 2 | TAG_COPY_2));
        out.set(SHORT, op + 1, (short) offset);
        return op + 3;
    }
}
