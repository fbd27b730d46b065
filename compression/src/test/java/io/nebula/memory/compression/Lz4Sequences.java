package io.nebula.memory.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walks an LZ4 block's sequences and checks the format's rules for a compressor's output. */
final class Lz4Sequences {

    private Lz4Sequences() {
    }

    /**
     * Checks that the last 5 bytes are literals, that the last match starts at least 12 bytes before the end, and
     * that offsets are 1 to 65535 and reach back only into the output.
     */
    static void check(byte[] block, int rawLength) {
        int ip = 0;
        int op = 0;
        int lastMatchStart = -1;
        while (true) {
            int token = block[ip++] & 0xFF;
            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    b = block[ip++] & 0xFF;
                    literals += b;
                } while (b == 255);
            }
            ip += literals;
            op += literals;
            if (ip == block.length) {
                break;
            }
            int offset = (block[ip] & 0xFF) | (block[ip + 1] & 0xFF) << 8;
            ip += 2;
            assertTrue(offset >= 1 && offset <= 65535 && offset <= op, () -> "offset " + offset);
            int matchLength = token & 15;
            if (matchLength == 15) {
                int b;
                do {
                    b = block[ip++] & 0xFF;
                    matchLength += b;
                } while (b == 255);
            }
            lastMatchStart = op;
            op += matchLength + 4;
        }
        assertEquals(rawLength, op);
        if (lastMatchStart >= 0) {
            assertTrue(lastMatchStart <= rawLength - 12, "last match at " + lastMatchStart + " of " + rawLength);
            assertTrue(op - rawLength <= 0);
        }
        // the last sequence holds literals only: at least 5 unless the whole block is literals
        if (lastMatchStart >= 0) {
            int lastLiterals = rawLength - matchEnd(block, rawLength);
            assertTrue(lastLiterals >= 5, "last literals " + lastLiterals);
        }
    }

    /** Where the last match ends in the output. */
    private static int matchEnd(byte[] block, int rawLength) {
        int ip = 0;
        int op = 0;
        int end = 0;
        while (true) {
            int token = block[ip++] & 0xFF;
            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    b = block[ip++] & 0xFF;
                    literals += b;
                } while (b == 255);
            }
            ip += literals;
            op += literals;
            if (ip == block.length) {
                return end;
            }
            ip += 2;
            int matchLength = token & 15;
            if (matchLength == 15) {
                int b;
                do {
                    b = block[ip++] & 0xFF;
                    matchLength += b;
                } while (b == 255);
            }
            op += matchLength + 4;
            end = op;
        }
    }
}
