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
        int lastMatchEnd = 0;
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
            lastMatchEnd = op;
        }
        assertEquals(rawLength, op);
        if (lastMatchStart >= 0) {
            assertTrue(lastMatchStart <= rawLength - 12, "last match at " + lastMatchStart + " of " + rawLength);
            // the last sequence holds literals only: at least 5 unless the whole block is literals
            int lastLiterals = rawLength - lastMatchEnd;
            assertTrue(lastLiterals >= 5, "last literals " + lastLiterals);
        }
    }
}
