package io.nebula.memory.simd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernels agree with a byte-at-a-time reference: every size from 0 to 300 bytes at every offset from 0 to
 * 63, random sizes up to 1 MiB, overlapping copies and a mismatch at every position.
 *
 * <p>The build runs this class twice, once per {@link KernelVariant}; {@link #theExpectedVariantIsActive()} makes
 * sure each run exercises the variant it claims to.
 */
class MemoryKernelsTest {

    private static final int MAX_SMALL = 300;
    private static final int OFFSETS = 64;
    private static final int MIB = 1 << 20;
    /** Bytes around every tested range that must keep their contents. */
    private static final int GUARD = 64;

    private Arena arena;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /**
     * The variant this run means to test: named by the build through {@code nebula.memory.kernels.expected}, or
     * else implied by whether {@code jdk.incubator.vector} is in the boot layer.
     */
    static KernelVariant expectedVariant() {
        String named = System.getProperty("nebula.memory.kernels.expected");
        if (named != null) {
            return KernelVariant.valueOf(named);
        }
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? KernelVariant.VECTOR : KernelVariant.BULK;
    }

    @Test
    void theExpectedVariantIsActive() {
        KernelVariant expected = expectedVariant();
        assertEquals(expected, MemoryKernels.activeVariant(), MemoryKernels.description());
        assertTrue(MemoryKernels.description().startsWith(expected.name()), MemoryKernels.description());
        if (expected == KernelVariant.VECTOR) {
            assertTrue(MemoryKernels.description().matches("VECTOR \\(\\d+-bit byte species\\).*"),
                    MemoryKernels.description());
        }
    }

    @Test
    void fillSetsExactlyTheRangeForEverySizeAndOffset() {
        MemorySegment segment = arena.allocate(GUARD + OFFSETS + MAX_SMALL + GUARD, 64);
        byte[] expected = pattern(segment.byteSize(), 1);
        for (int size = 0; size <= MAX_SMALL; size++) {
            for (int offset = 0; offset < OFFSETS; offset++) {
                long at = GUARD + offset;
                byte value = (byte) (size * 7 + offset);
                MemorySegment.copy(expected, 0, segment, ValueLayout.JAVA_BYTE, 0, expected.length);

                MemoryKernels.fill(segment, at, size, value);

                long wrong = firstDifferenceFromFill(segment, expected, at, size, value);
                if (wrong >= 0) {
                    fail("fill(offset " + at + ", size " + size + ") left byte " + wrong + " wrong");
                }
            }
        }
    }

    @Test
    void copyMovesExactlyTheRangeForEverySizeAndPairOfOffsets() {
        MemorySegment src = arena.allocate(OFFSETS + MAX_SMALL, 64);
        MemorySegment dst = arena.allocate(GUARD + OFFSETS + MAX_SMALL + GUARD, 64);
        byte[] srcBytes = pattern(src.byteSize(), 2);
        byte[] dstBytes = pattern(dst.byteSize(), 3);
        MemorySegment.copy(srcBytes, 0, src, ValueLayout.JAVA_BYTE, 0, srcBytes.length);
        for (int size = 0; size <= MAX_SMALL; size++) {
            // Every size meets every source and every destination offset; all 64 x 64 pairs occur over 64 sizes.
            for (int srcOffset = 0; srcOffset < OFFSETS; srcOffset++) {
                int dstOffset = (srcOffset + size) % OFFSETS;
                MemorySegment.copy(dstBytes, 0, dst, ValueLayout.JAVA_BYTE, 0, dstBytes.length);

                MemoryKernels.copy(src, srcOffset, dst, GUARD + dstOffset, size);

                byte[] expected = dstBytes.clone();
                System.arraycopy(srcBytes, srcOffset, expected, GUARD + dstOffset, size);
                assertBytes(expected, dst, "copy(src " + srcOffset + ", dst " + dstOffset + ", size " + size + ")");
            }
        }
    }

    @Test
    void overlappingCopiesBehaveAsIfThroughATemporaryBuffer() {
        int span = 2 * OFFSETS + MAX_SMALL;
        MemorySegment segment = arena.allocate(span, 64);
        byte[] initial = pattern(span, 4);
        for (int size = 0; size <= MAX_SMALL; size += size < 130 ? 1 : 17) {
            for (int shift = -OFFSETS; shift <= OFFSETS; shift++) {
                int srcOffset = OFFSETS;
                int dstOffset = OFFSETS + shift;
                MemorySegment.copy(initial, 0, segment, ValueLayout.JAVA_BYTE, 0, span);

                MemoryKernels.copy(segment, srcOffset, segment, dstOffset, size);

                byte[] expected = initial.clone();
                System.arraycopy(initial, srcOffset, expected, dstOffset, size); // arraycopy is memmove too
                assertBytes(expected, segment, "overlapping copy(shift " + shift + ", size " + size + ")");
            }
        }
    }

    @Test
    void overlappingCopiesBetweenAliasingSegmentsAreMemmoves() {
        MemorySegment block = arena.allocate(4096 + 512, 64);
        byte[] initial = pattern(block.byteSize(), 5);
        for (int shift : new int[] {-511, -64, -1, 1, 63, 64, 65, 511}) {
            MemorySegment.copy(initial, 0, block, ValueLayout.JAVA_BYTE, 0, initial.length);
            MemorySegment src = block.asSlice(512, 4096 - 512);
            MemorySegment dst = block.asSlice(512 + shift, 4096 - 512);

            MemoryKernels.copy(src, 0, dst, 0, src.byteSize());

            byte[] expected = initial.clone();
            System.arraycopy(initial, 512, expected, 512 + shift, 4096 - 512);
            assertBytes(expected, block, "aliasing copy, shift " + shift);
        }
    }

    @Test
    void mismatchFindsADifferenceAtEveryPosition() {
        MemorySegment a = arena.allocate(OFFSETS + MAX_SMALL, 64);
        MemorySegment b = arena.allocate(OFFSETS + MAX_SMALL, 64);
        byte[] bytes = pattern(OFFSETS + MAX_SMALL, 6);
        for (int size = 0; size <= MAX_SMALL; size++) {
            int aOffset = size % OFFSETS;
            int bOffset = (size * 5 + 3) % OFFSETS;
            MemorySegment.copy(bytes, 0, a, ValueLayout.JAVA_BYTE, aOffset, size);
            MemorySegment.copy(bytes, 0, b, ValueLayout.JAVA_BYTE, bOffset, size);
            String at = " (size " + size + ", offsets " + aOffset + " and " + bOffset + ")";

            assertEquals(-1, MemoryKernels.mismatch(a, aOffset, b, bOffset, size), "equal ranges" + at);
            assertTrue(MemoryKernels.equals(a, aOffset, b, bOffset, size), "equal ranges" + at);
            for (int position = 0; position < size; position++) {
                long index = bOffset + position;
                byte original = b.get(ValueLayout.JAVA_BYTE, index);
                b.set(ValueLayout.JAVA_BYTE, index, (byte) ~original);

                assertEquals(position, MemoryKernels.mismatch(a, aOffset, b, bOffset, size), "difference at "
                        + position + at);
                assertEquals(position, MemoryKernels.mismatch(b, bOffset, a, aOffset, size), "swapped" + at);
                // A difference past the range does not count.
                assertEquals(-1, MemoryKernels.mismatch(a, aOffset, b, bOffset, position), "prefix" + at);

                b.set(ValueLayout.JAVA_BYTE, index, original);
            }
        }
    }

    @Test
    void mismatchReportsTheFirstOfSeveralDifferences() {
        MemorySegment a = arena.allocate(1024, 64);
        MemorySegment b = arena.allocate(1024, 64);
        for (int first = 0; first < 1024; first += 13) {
            a.fill((byte) 1);
            b.fill((byte) 1);
            for (int i = first; i < 1024; i += 3) {
                b.set(ValueLayout.JAVA_BYTE, i, (byte) 2);
            }
            assertEquals(first, MemoryKernels.mismatch(a, 0, b, 0, 1024), "first difference at " + first);
            assertTrue(MemoryKernels.equals(a, 0, b, 0, first), "prefix before " + first);
            assertFalse(MemoryKernels.equals(a, 0, b, 0, first + 1), "prefix through " + first);
        }
    }

    @Test
    void randomSizesUpToOneMebibyteMatchTheReference() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        MemorySegment a = arena.allocate(MIB + OFFSETS, 64);
        MemorySegment b = arena.allocate(MIB + OFFSETS, 64);
        for (int round = 0; round < 24; round++) {
            int size = random.nextInt(MIB + 1);
            int aOffset = random.nextInt(OFFSETS);
            int bOffset = random.nextInt(OFFSETS);
            String context = "seed " + seed + ", round " + round + ", size " + size + ", offsets " + aOffset + "/"
                    + bOffset;
            byte value = (byte) random.nextInt();

            MemoryKernels.fill(a, aOffset, size, value);
            assertEquals(-1, firstDifferenceFromValue(a, aOffset, size, value), "fill, " + context);

            random.ints(size / 64 + 1).forEach(v -> a.set(ValueLayout.JAVA_BYTE,
                    aOffset + Math.floorMod(v, Math.max(size, 1)), (byte) v));
            MemoryKernels.copy(a, aOffset, b, bOffset, size);
            assertEquals(-1, referenceMismatch(a, aOffset, b, bOffset, size), "copy, " + context);
            assertEquals(-1, MemoryKernels.mismatch(a, aOffset, b, bOffset, size), "mismatch, " + context);

            if (size > 0) {
                int position = random.nextInt(size);
                b.set(ValueLayout.JAVA_BYTE, bOffset + position,
                        (byte) ~a.get(ValueLayout.JAVA_BYTE, aOffset + position));
                assertEquals(position, MemoryKernels.mismatch(a, aOffset, b, bOffset, size), "mismatch, " + context);
            }
        }
    }

    @Test
    void heapSegmentsOfAnyArrayTypeWork() {
        MemorySegment bytes = MemorySegment.ofArray(new byte[1000]);
        MemorySegment longs = MemorySegment.ofArray(new long[125]);
        MemorySegment ints = MemorySegment.ofArray(new int[250]);

        MemoryKernels.fill(longs, 3, 990, (byte) 9);
        MemoryKernels.copy(longs, 0, bytes, 0, 1000);
        MemoryKernels.copy(bytes, 0, ints, 0, 1000);

        assertEquals(-1, firstDifferenceFromValue(bytes, 3, 990, (byte) 9));
        assertEquals(0, bytes.get(ValueLayout.JAVA_BYTE, 2));
        assertEquals(0, bytes.get(ValueLayout.JAVA_BYTE, 993));
        assertEquals(-1, MemoryKernels.mismatch(ints, 0, longs, 0, 1000));
        ints.set(ValueLayout.JAVA_BYTE, 700, (byte) 1);
        assertEquals(700, MemoryKernels.mismatch(longs, 0, ints, 0, 1000));
        assertEquals(697, MemoryKernels.mismatch(bytes, 3, ints, 3, 997));
    }

    private static byte[] pattern(long size, int salt) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(salt).nextBytes(bytes);
        return bytes;
    }

    /** First index of {@code segment} that differs from {@code before} with {@code [at, at + size)} set. */
    private static long firstDifferenceFromFill(MemorySegment segment, byte[] before, long at, long size,
                                                byte value) {
        for (int i = 0; i < before.length; i++) {
            byte expected = i >= at && i < at + size ? value : before[i];
            if (segment.get(ValueLayout.JAVA_BYTE, i) != expected) {
                return i;
            }
        }
        return -1;
    }

    private static long firstDifferenceFromValue(MemorySegment segment, long offset, long size, byte value) {
        for (long i = 0; i < size; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != value) {
                return i;
            }
        }
        return -1;
    }

    private static long referenceMismatch(MemorySegment a, long aOffset, MemorySegment b, long bOffset, long size) {
        for (long i = 0; i < size; i++) {
            if (a.get(ValueLayout.JAVA_BYTE, aOffset + i) != b.get(ValueLayout.JAVA_BYTE, bOffset + i)) {
                return i;
            }
        }
        return -1;
    }

    private static void assertBytes(byte[] expected, MemorySegment actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (actual.get(ValueLayout.JAVA_BYTE, i) != expected[i]) {
                fail(what + ": byte " + i + " is " + actual.get(ValueLayout.JAVA_BYTE, i) + ", expected "
                        + expected[i]);
            }
        }
    }
}
