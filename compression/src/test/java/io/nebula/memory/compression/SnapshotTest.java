package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arena snapshots: what is restored, where it may be restored, and that damaged snapshots are refused. */
class SnapshotTest {

    /** Fills an arena as a request would: records at offsets, some text, a 64-byte aligned buffer. */
    private static long[] fillLikeARequest(BumpAllocator arena) {
        long records = arena.allocateOffset(100L * DataSets.RECORD_BYTES, 8);
        MemorySegment.copy(DataSets.STRUCTS.generate(100 * DataSets.RECORD_BYTES, 1), 0, arena.segment(), records,
                100L * DataSets.RECORD_BYTES);
        long text = arena.allocateOffset(5000, 1);
        MemorySegment.copy(DataSets.TEXT.generate(5000, 2), 0, arena.segment(), text, 5000);
        long buffer = arena.allocateOffset(256, 64);
        arena.segment().asSlice(buffer, 256).fill((byte) 7);
        return new long[] {records, text, buffer};
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void restoresTheBytesAtTheirOffsetsAndTheUsedBytes(Codec codec) {
        try (BumpAllocator request = BumpAllocator.create(64 * 1024);
             BumpAllocator spill = BumpAllocator.create(64 * 1024)) {
            long[] offsets = fillLikeARequest(request);
            long used = request.usedBytes();
            byte[] before = request.segment().asSlice(0, used).toArray(ValueLayout.JAVA_BYTE);

            CodecImplementation implementation = BlockFormatTest.implementation(codec);
            Snapshot snapshot = Snapshot.take(request, codec, implementation, spill);
            assertEquals(used, snapshot.arenaBytes());
            assertEquals(spill.usedBytes(), snapshot.byteSize());
            assertEquals(codec, snapshot.codec());
            if (codec != Codec.NONE) {
                assertTrue(snapshot.byteSize() < used * 0.7, snapshot::toString);
            }

            request.reset();
            request.segment().fill((byte) 0);
            snapshot.restore(request, implementation);
            assertEquals(used, request.usedBytes());
            assertEquals(-1, MemorySegment.ofArray(before).mismatch(request.segment().asSlice(0, used)));
            assertEquals(7, request.segment().get(ValueLayout.JAVA_BYTE, offsets[2] + 255));
            long next = request.allocateOffset(8, 8);
            assertEquals((used + 7) & ~7L, next, "the next allocation lands where it would have");
        }
    }

    @Test
    void aThreadSafeArenaHasExactlyTheSnapshotsUsedBytesAfterARestore() {
        // A thread-safe arena allocates through thread buffers, which count as used from their reservation: the
        // restore must not leave the rest of the restoring thread's buffer counted as used.
        BumpConfig threadSafe = BumpConfig.defaults().withThreadSafe(true);
        try (BumpAllocator request = BumpAllocator.create(1 << 20, threadSafe);
             BumpAllocator spill = BumpAllocator.create(64 * 1024)) {
            long first = request.allocateOffset(100, 8);
            request.segment().asSlice(first, 100).fill((byte) 3);
            request.checkpoint();   // gives back the rest of this thread's buffer: 100 bytes used
            assertEquals(100, request.usedBytes());
            Snapshot snapshot = Snapshot.take(request, Codec.LZ4, spill);

            request.reset();
            snapshot.restore(request);
            assertEquals(100, request.usedBytes());
            assertEquals(3, request.segment().get(ValueLayout.JAVA_BYTE, 99));
            assertEquals(104, request.allocateOffset(8, 8), "the next allocation lands where it would have");
        }
    }

    @Test
    void restoresIntoAnotherLargerArena() {
        try (BumpAllocator request = BumpAllocator.create(16 * 1024);
             BumpAllocator other = BumpAllocator.create(1 << 20);
             Arena memory = Arena.ofConfined()) {
            long[] offsets = fillLikeARequest(request);
            Snapshot snapshot = Snapshot.take(request, memory);
            snapshot.restore(other);
            assertEquals(request.usedBytes(), other.usedBytes());
            assertEquals(-1, request.segment().asSlice(0, request.usedBytes())
                    .mismatch(other.segment().asSlice(0, other.usedBytes())));
            assertEquals(1L, other.segment().get(ValueLayout.JAVA_LONG, offsets[0]), "first record's id");
        }
    }

    @Test
    void anEmptyArenaRoundTrips() {
        try (BumpAllocator arena = BumpAllocator.create(4096); Arena memory = Arena.ofConfined()) {
            Snapshot snapshot = Snapshot.take(arena, memory);
            assertEquals(0, snapshot.arenaBytes());
            assertEquals(BlockFormat.HEADER_BYTES, snapshot.byteSize());
            assertEquals(Codec.NONE, snapshot.codec());
            snapshot.restore(arena);
            assertEquals(0, arena.usedBytes());
        }
    }

    @Test
    void travelsThroughAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("request.snapshot");
        long used;
        byte[] before;
        try (BumpAllocator request = BumpAllocator.create(64 * 1024); Arena memory = Arena.ofConfined()) {
            fillLikeARequest(request);
            used = request.usedBytes();
            before = request.segment().asSlice(0, used).toArray(ValueLayout.JAVA_BYTE);
            Snapshot snapshot = Snapshot.take(request, Codec.ZSTD, CodecImplementation.NATIVE, memory);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(snapshot.toSegment().asByteBuffer());
            }
        }
        try (Arena memory = Arena.ofConfined();
             FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             BumpAllocator fresh = BumpAllocator.create(64 * 1024)) {
            MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, in.size(), memory);
            Snapshot.from(mapped).restore(fresh, CodecImplementation.NATIVE);
            assertEquals(used, fresh.usedBytes());
            assertEquals(-1, MemorySegment.ofArray(before).mismatch(fresh.segment().asSlice(0, used)));
        }
        Snapshot fromHeap = Snapshot.from(MemorySegment.ofArray(Files.readAllBytes(file)));
        assertEquals(Codec.ZSTD, fromHeap.codec());
    }

    @Test
    void zstandardIsNativeOnlyAndAJavaRestoreSaysSoBeforeTouchingTheArena() {
        try (BumpAllocator request = BumpAllocator.create(64 * 1024); Arena memory = Arena.ofConfined();
             BumpAllocator fresh = BumpAllocator.create(64 * 1024)) {
            fillLikeARequest(request);
            CompressionException take = assertThrows(CompressionException.class,
                    () -> Snapshot.take(request, Codec.ZSTD, memory));
            assertEquals(CompressionError.CODEC_UNAVAILABLE, take.code());
            assertEquals(request.toString(), take.source());
            assertTrue(take.details().startsWith("Zstandard has no Java implementation"), take::getMessage);

            Snapshot snapshot = Snapshot.take(request, Codec.ZSTD, CodecImplementation.NATIVE, memory);
            assertEquals(Codec.ZSTD, snapshot.codec());
            CompressionException restore = assertThrows(CompressionException.class, () -> snapshot.restore(fresh));
            assertEquals(CompressionError.CODEC_UNAVAILABLE, restore.code());
            assertEquals(snapshot.toString(), restore.source());
            assertTrue(restore.suggestions().get(0).contains("CodecImplementation.NATIVE"), restore::getMessage);
            assertEquals(0, fresh.usedBytes(), "the refused restore left the arena empty");

            snapshot.restore(fresh, CodecImplementation.NATIVE);
            assertEquals(request.usedBytes(), fresh.usedBytes());
            assertEquals(-1, request.segment().asSlice(0, request.usedBytes())
                    .mismatch(fresh.segment().asSlice(0, fresh.usedBytes())));
        }
    }

    @Test
    void snappySnapshotsAreTheModulesOwnCodecAndLibsnappyReadsThem() {
        try (BumpAllocator request = BumpAllocator.create(64 * 1024); Arena memory = Arena.ofConfined();
             BumpAllocator java = BumpAllocator.create(64 * 1024);
             BumpAllocator nativeArena = BumpAllocator.create(64 * 1024)) {
            fillLikeARequest(request);
            Snapshot snapshot = Snapshot.take(request, Codec.SNAPPY, memory);
            assertEquals(Codec.SNAPPY, snapshot.codec());
            snapshot.restore(java);
            snapshot.restore(nativeArena, CodecImplementation.NATIVE);
            MemorySegment used = request.segment().asSlice(0, request.usedBytes());
            assertEquals(-1, used.mismatch(java.segment().asSlice(0, java.usedBytes())));
            assertEquals(-1, used.mismatch(nativeArena.segment().asSlice(0, nativeArena.usedBytes())));
        }
    }

    @Test
    void refusesArenasItCannotRestoreInto() {
        try (BumpAllocator request = BumpAllocator.create(64 * 1024); Arena memory = Arena.ofConfined();
             BumpAllocator small = BumpAllocator.create(1024)) {
            fillLikeARequest(request);
            Snapshot snapshot = Snapshot.take(request, memory);

            CompressionException notEmpty = assertThrows(CompressionException.class, () -> snapshot.restore(request));
            assertEquals(CompressionError.INCOMPATIBLE_ARENA, notEmpty.code());
            assertTrue(notEmpty.details().contains("bytes in use"), notEmpty.getMessage());
            assertEquals(snapshot.arenaBytes(), request.usedBytes(), "the refused restore changed nothing");

            CompressionException tooSmall = assertThrows(CompressionException.class, () -> snapshot.restore(small));
            assertEquals(CompressionError.INCOMPATIBLE_ARENA, tooSmall.code());
            assertTrue(tooSmall.getMessage().contains("BumpAllocator.create(" + snapshot.arenaBytes() + ")"),
                    tooSmall.getMessage());

            try (BumpAllocator checked = BumpAllocator.create(64 * 1024, BumpConfig.defaults().withChecked(true))) {
                assertEquals(CompressionError.INCOMPATIBLE_ARENA,
                        assertThrows(CompressionException.class, () -> snapshot.restore(checked)).code());
                assertEquals(CompressionError.INCOMPATIBLE_ARENA,
                        assertThrows(CompressionException.class, () -> Snapshot.take(checked, memory)).code());
            }
        }
    }

    @Test
    void aSnapshotDamagedAfterItWasTakenIsRefusedAndTheArenaLeftEmpty() {
        try (BumpAllocator request = BumpAllocator.create(64 * 1024); Arena memory = Arena.ofConfined()) {
            fillLikeARequest(request);
            MemorySegment bytes = memory.allocate(Snapshot.take(request, memory).byteSize());
            bytes.copyFrom(Snapshot.take(request, memory).toSegment());
            Snapshot snapshot = Snapshot.from(bytes);
            request.reset();

            bytes.set(ValueLayout.JAVA_BYTE, bytes.byteSize() / 2,
                    (byte) ~bytes.get(ValueLayout.JAVA_BYTE, bytes.byteSize() / 2));
            CompressionException e = assertThrows(CompressionException.class, () -> snapshot.restore(request));
            assertEquals(CompressionError.CORRUPT_DATA, e.code());
            assertEquals(0, request.usedBytes());
        }
    }

    @Test
    void aToSegmentViewIsReadOnly() {
        try (BumpAllocator request = BumpAllocator.create(4096); Arena memory = Arena.ofConfined()) {
            request.allocate(100);
            Snapshot snapshot = Snapshot.take(request, memory);
            assertTrue(snapshot.toSegment().isReadOnly());
            assertEquals(snapshot.byteSize(), snapshot.toSegment().byteSize());
            assertTrue(snapshot.toString().startsWith("Snapshot["), snapshot::toString);
        }
    }
}
