package io.nebula.memory.compression;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nebula.memory.bump.BumpAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * Fuzz targets for everything that reads blocks: arbitrary bytes must end in a {@link CompressionException} or in
 * exactly the data that was written; any other exception, a crash or a hang is a finding.
 *
 * <p>{@code mvn verify} replays the committed inputs in {@code src/test/resources/.../BlockFuzzTestInputs/} as
 * regression tests. To fuzz one target for its {@code maxDuration}:
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_INSTRUMENT='io.nebula.memory.**,io.airlift.compress.**' mvn -pl compression -am test \
 *     -Dtest=BlockFuzzTest#snapshotFrom -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 * {@code JAZZER_INSTRUMENT} adds aircompressor's classes to the coverage Jazzer steers by (by default it instruments
 * only the project's own class directories), so that it explores the decoders. A failing input is written to the
 * inputs folder, where it stays as a regression test once committed; the working corpus goes to
 * {@code .cifuzz-corpus/}, ignored by git.
 */
class BlockFuzzTest {

    /** The largest arena a fuzzed snapshot may claim: keeps each run fast. */
    private static final int MAX_ARENA = 1 << 20;

    /** Arbitrary bytes read as a snapshot: refused with a typed error, or restored to their recorded size. */
    @FuzzTest(maxDuration = "30s")
    void snapshotFrom(byte[] bytes) {
        Snapshot snapshot;
        try {
            snapshot = Snapshot.from(MemorySegment.ofArray(bytes));
        } catch (CompressionException expected) {
            return;
        }
        restoreAndCheck(snapshot, -1);
    }

    /**
     * An arbitrary payload inside a header whose checksum is right, so that the codecs themselves see garbage: the
     * result must be a typed error or exactly the recorded number of bytes.
     */
    @FuzzTest(maxDuration = "30s")
    void arbitraryPayload(FuzzedDataProvider data) {
        Codec codec = data.pickValue(Codec.values());
        int rawLength = data.consumeInt(0, MAX_ARENA);
        byte[] payload = data.consumeRemainingAsBytes();
        byte[] block = new byte[BlockFormat.HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, block, BlockFormat.HEADER_BYTES, payload.length);
        BlockFormat.writeHeader(MemorySegment.ofArray(block), codec, rawLength, payload.length, new CRC32C());
        Snapshot snapshot;
        try {
            snapshot = Snapshot.from(MemorySegment.ofArray(block));
        } catch (CompressionException expected) {
            return;
        }
        restoreAndCheck(snapshot, rawLength);
    }

    /** Arbitrary data through a store and back, with any codec: always the same bytes. */
    @FuzzTest(maxDuration = "30s")
    void roundTrip(FuzzedDataProvider data) {
        Codec codec = data.pickValue(Codec.values());
        byte[] bytes = data.consumeRemainingAsBytes();
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(codec));
             Arena arena = Arena.ofConfined()) {
            MemorySegment input = MemorySegment.ofArray(bytes);
            long handle = store.put(input);
            MemorySegment back = store.get(handle, arena);
            if (back.byteSize() != bytes.length || input.mismatch(back) != -1) {
                throw new AssertionError(codec + " changed " + bytes.length + " bytes");
            }
        }
    }

    private static void restoreAndCheck(Snapshot snapshot, long expectedBytes) {
        if (snapshot.arenaBytes() > MAX_ARENA) {
            return;
        }
        try (BumpAllocator arena = BumpAllocator.create(Math.max(1, snapshot.arenaBytes()))) {
            try {
                snapshot.restore(arena);
            } catch (CompressionException expected) {
                if (arena.usedBytes() != 0) {
                    throw new AssertionError("a failed restore left " + arena.usedBytes() + " bytes in the arena");
                }
                return;
            }
            if (arena.usedBytes() != snapshot.arenaBytes()
                    || (expectedBytes >= 0 && arena.usedBytes() != expectedBytes)) {
                throw new AssertionError("restored " + arena.usedBytes() + " bytes of " + snapshot.arenaBytes());
            }
        }
    }
}
