package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static io.nebula.memory.compression.Lz77.BYTE;
import static io.nebula.memory.compression.Lz77.INT;
import static io.nebula.memory.compression.Lz77.LONG;
import static io.nebula.memory.compression.Lz77.SHORT;

/**
 * Writes the LZ4 block format (<a href="https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md">
 * lz4_Block_format.md</a>) as LZ4's fast mode does, on {@code MemorySegment}s alone: a hash table of 4096
 * positions finds match candidates, the search steps further the longer it finds none, a candidate is a match when
 * its 4 bytes are equal, and a match is extended 8 bytes at a time. Its output is what liblz4 and every LZ4 decoder
 * read, byte for byte what aircompressor's LZ4 writes.
 *
 * <p>The hash covers the 5 bytes at a position, as liblz4's 64-bit hash for blocks over 64 KiB and aircompressor's
 * do: hashing 4 bytes makes the table favour 4-byte matches, and 64 KiB of English text 13% larger (24,169 bytes
 * instead of 21,298).
 *
 * <p>The format's end rules hold: the last 5 bytes are literals, and the last match starts at least 12 bytes
 * before the end; offsets are 1 to 65535.
 *
 * <p>One instance per thread: it keeps its hash table from block to block and allocates nothing per block.
 */
final class Lz4BlockCompressor {

    /** The shortest match the format encodes. */
    static final int MIN_MATCH = 4;
    /** The format's last bytes that are always literals. */
    static final int LAST_LITERALS = 5;
    /** The last match starts at least this many bytes before the end. */
    static final int MATCH_FIND_LIMIT = 12;
    /** The largest offset of a match. */
    static final int MAX_OFFSET = 65535;
    /** The value of a token's nibble that says "more length bytes follow". */
    static final int RUN_MASK = 15;

    private static final int HASH_LOG = 12;
    /** After 2<sup>6</sup> failed probes the search advances 2 bytes at a time, then 3, as LZ4's fast mode. */
    private static final int SKIP_TRIGGER = 6;

    /** Input positions by the hash of the 4 bytes there; cleared at the start of each block. */
    private final int[] table = new int[1 << HASH_LOG];

    /**
     * Returns the most bytes that compressing {@code rawLength} bytes produces: LZ4's {@code LZ4_compressBound}.
     *
     * @param rawLength at most {@link BlockFormat#MAX_RAW_BYTES}
     * @return the bound
     */
    static int maxCompressedLength(int rawLength) {
        return rawLength + rawLength / 255 + 16;
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
        int anchor = 0;
        int op = 0;
        if (length > MATCH_FIND_LIMIT) {
            Arrays.fill(table, 0);
            int matchFindLimit = length - MATCH_FIND_LIMIT;
            int matchLimit = length - LAST_LITERALS;
            int ip = 0;
            table[hash(in.get(LONG, 0))] = 0;
            ip++;
            int forwardHash = hash(in.get(LONG, ip));
            search:
            while (true) {
                int forwardIp = ip;
                int step = 1;
                int probes = 1 << SKIP_TRIGGER;
                int ref;
                do {
                    int h = forwardHash;
                    ip = forwardIp;
                    forwardIp += step;
                    step = probes++ >>> SKIP_TRIGGER;
                    if (forwardIp > matchFindLimit + 1) {
                        break search;
                    }
                    ref = table[h];
                    forwardHash = hash(in.get(LONG, forwardIp));
                    table[h] = ip;
                } while (ip - ref > MAX_OFFSET || in.get(INT, ref) != in.get(INT, ip));

                while (ip > anchor && ref > 0 && in.get(BYTE, ip - 1) == in.get(BYTE, ref - 1)) {
                    ip--;
                    ref--;
                }
                int token = op++;
                int literals = ip - anchor;
                op = writeLiteralLength(out, token, op, literals);
                Lz77.copyRun(in, anchor, length, out, op, outLimit, literals);
                op += literals;

                while (true) {
                    out.set(SHORT, op, (short) (ip - ref));
                    op += 2;
                    int matchLength = Lz77.matchLength(in, ip + MIN_MATCH, ref + MIN_MATCH, matchLimit);
                    ip += MIN_MATCH + matchLength;
                    op = writeMatchLength(out, token, op, matchLength);
                    anchor = ip;
                    if (ip > matchFindLimit) {
                        break search;
                    }
                    table[hash(in.get(LONG, ip - 2))] = ip - 2;
                    int h = hash(in.get(LONG, ip));
                    ref = table[h];
                    table[h] = ip;
                    if (ip - ref > MAX_OFFSET || in.get(INT, ref) != in.get(INT, ip)) {
                        break;
                    }
                    token = op++;
                    out.set(BYTE, token, (byte) 0);
                }
                ip++;
                forwardHash = hash(in.get(LONG, ip));
            }
        }
        int literals = length - anchor;
        int token = op++;
        op = writeLiteralLength(out, token, op, literals);
        MemorySegment.copy(in, anchor, out, op, literals);
        return op + literals;
    }

    /** Hashes the low 5 bytes of {@code sequence}, read little-endian: LZ4's {@code LZ4_hash5}. */
    private static int hash(long sequence) {
        return (int) (((sequence << 24) * 889523592379L) >>> (64 - HASH_LOG));
    }

    /** Writes the token's literal nibble and any length bytes; returns the position after them. */
    private static int writeLiteralLength(MemorySegment out, int token, int op, int literals) {
        if (literals < RUN_MASK) {
            out.set(BYTE, token, (byte) (literals << 4));
            return op;
        }
        out.set(BYTE, token, (byte) (RUN_MASK << 4));
        return writeLengthBytes(out, op, literals - RUN_MASK);
    }

    /** Adds the token's match nibble and writes any length bytes; returns the position after them. */
    private static int writeMatchLength(MemorySegment out, int token, int op, int matchLength) {
        byte literalNibble = out.get(BYTE, token);
        if (matchLength < RUN_MASK) {
            out.set(BYTE, token, (byte) (literalNibble | matchLength));
            return op;
        }
        out.set(BYTE, token, (byte) (literalNibble | RUN_MASK));
        return writeLengthBytes(out, op, matchLength - RUN_MASK);
    }

    private static int writeLengthBytes(MemorySegment out, int op, int remaining) {
        while (remaining >= 255) {
            out.set(BYTE, op++, (byte) 255);
            remaining -= 255;
        }
        out.set(BYTE, op++, (byte) remaining);
        return op;
    }
}
