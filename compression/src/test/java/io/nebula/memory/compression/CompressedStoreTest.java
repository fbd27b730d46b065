package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips of real data through every codec, and every way of misusing a store. */
class CompressedStoreTest {

    static final int[] SIZES = {0, 1, 100, 4096, 64 * 1024, 1 << 20};

    static Stream<Arguments> everyCodecDataAndSize() {
        List<Arguments> cases = new ArrayList<>();
        for (Codec codec : Codec.values()) {
            for (DataSets data : DataSets.values()) {
                for (int size : SIZES) {
                    cases.add(Arguments.of(codec, data, size));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} bytes")
    @MethodSource("everyCodecDataAndSize")
    void roundTripsRealData(Codec codec, DataSets data, int size) {
        MemorySegment input = data.generate(size, size * 31L + codec.ordinal());
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(codec)
                .withImplementation(BlockFormatTest.implementation(codec)));
             Arena arena = Arena.ofConfined()) {
            long handle = store.put(input);
            assertEquals(size, store.decompressedSize(handle));

            MemorySegment back = store.get(handle, arena);
            assertEquals(size, back.byteSize());
            assertEquals(-1, input.mismatch(back), "decompressed bytes differ");

            MemorySegment destination = arena.allocate(size + 16L).fill((byte) 0x5A);
            assertEquals(size, store.get(handle, destination));
            assertEquals(-1, input.mismatch(destination.asSlice(0, size)));
            for (long i = size; i < size + 16L; i++) {
                assertEquals((byte) 0x5A, destination.get(ValueLayout.JAVA_BYTE, i), "byte past the data written");
            }

            long stored = store.storedSize(handle);
            Codec actual = BlockFormat.codec(((ConfinedStore) store).storedBlock(handle));
            if (actual == Codec.NONE) {
                assertEquals(BlockFormat.HEADER_BYTES + size, stored);
            } else {
                assertEquals(codec, actual);
                assertTrue(stored < BlockFormat.HEADER_BYTES + size);
            }
            if (data == DataSets.RANDOM || size <= 1) {
                assertEquals(Codec.NONE, actual, "no codec shrinks random bytes or a single byte");
            } else if (size >= 4096 && codec != Codec.NONE) {
                assertEquals(codec, actual);
                assertTrue(stored < size * 0.7,
                        () -> codec + " stored " + data + " of " + size + " bytes in " + stored);
            }

            store.free(handle);
            assertFalse(store.contains(handle));
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void readsIntoAStructView(Codec codec) {
        MemorySegment records = DataSets.STRUCTS.generate(100 * DataSets.RECORD_BYTES, 7);
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(codec)
                .withImplementation(BlockFormatTest.implementation(codec)));
             BumpAllocator arena = BumpAllocator.create(64 * 1024)) {
            long handle = store.put(records);
            MemorySegment back = store.get(handle, arena);
            assertEquals(0, back.address() % 8);
            for (long i = 0; i < 100; i++) {
                long offset = i * DataSets.RECORD_BYTES;
                assertEquals(i + 1, back.get(ValueLayout.JAVA_LONG, offset));
                assertEquals(records.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, offset + 16),
                        back.get(ValueLayout.JAVA_DOUBLE, offset + 16));
            }
            MemorySegment aligned = store.get(handle, arena, 64);
            assertEquals(0, aligned.address() % 64);
        }
    }

    @Test
    void acceptsHeapAndReadOnlyInputsOfAnyArray() {
        MemorySegment text = DataSets.TEXT.generate(8192, 3);
        long[] longs = new long[1024];
        MemorySegment.copy(text, 0, MemorySegment.ofArray(longs), 0, 8192);
        try (CompressedStore store = CompressedStore.create(); Arena arena = Arena.ofConfined()) {
            for (MemorySegment input : List.of(text, text.asReadOnly(), MemorySegment.ofArray(longs),
                    arena.allocate(8192).copyFrom(text).asReadOnly())) {
                long handle = store.put(input);
                assertEquals(-1, text.mismatch(store.get(handle, arena)));
                long[] into = new long[1024];
                store.get(handle, MemorySegment.ofArray(into));
                assertArrayEquals(longs, into);
            }
        }
    }

    @Test
    void statisticsAreExact() {
        MemorySegment text = DataSets.TEXT.generate(10_000, 1);
        MemorySegment random = DataSets.RANDOM.generate(3_000, 1);
        try (CompressedStore store = CompressedStore.create(); Arena arena = Arena.ofConfined()) {
            long a = store.put(text);
            long b = store.put(random);
            long c = store.put(text);
            store.get(a, arena);
            store.get(b, arena);
            store.free(a);
            StoreStatistics stats = store.statistics();
            long storedA = BlockFormat.HEADER_BYTES + (long) BlockFormat.payloadLength(
                    ((ConfinedStore) store).storedBlock(c));
            assertEquals(3, stats.puts());
            assertEquals(2, stats.gets());
            assertEquals(1, stats.frees());
            assertEquals(23_000, stats.bytesIn());
            assertEquals(13_000, stats.bytesOut());
            assertEquals(2 * storedA + 3_000 + BlockFormat.HEADER_BYTES, stats.bytesStored());
            assertEquals(2, stats.liveBlocks());
            assertEquals(13_000, stats.liveRawBytes());
            assertEquals(storedA + 3_000 + BlockFormat.HEADER_BYTES, stats.liveStoredBytes());
            assertEquals(StoreConfig.DEFAULT_CHUNK_BYTES, stats.reservedBytes());
            assertEquals(23_000.0 / stats.bytesStored(), stats.ratio());
            assertTrue(stats.ratio() > 1.5, () -> "ratio " + stats.ratio());
            assertEquals(store.capacityBytes(), stats.reservedBytes());
            assertEquals((align(storedA) * 2 + align(3_024)), store.usedBytes());
            String json = stats.toJson();
            assertTrue(json.startsWith("{\"puts\":3,\"gets\":2,\"frees\":1,\"bytesIn\":23000,\"bytesOut\":13000,"),
                    json);
            assertTrue(json.contains(",\"ratio\":" + stats.ratio() + ",\"liveRatio\":" + stats.liveRatio() + "}"),
                    json);
        }
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    @Test
    void invalidHandlesAreRefused() {
        try (CompressedStore store = CompressedStore.create(); CompressedStore other = CompressedStore.create();
             Arena arena = Arena.ofConfined()) {
            MemorySegment data = DataSets.TEXT.generate(500, 2);
            long handle = store.put(data);
            long foreign = other.put(data);
            store.free(handle);

            CompressionException freed = assertThrows(CompressionException.class, () -> store.get(handle, arena));
            assertEquals(CompressionError.INVALID_HANDLE, freed.code());
            assertTrue(freed.details().contains("whose block was freed"), freed.getMessage());
            assertEquals(CompressionError.INVALID_HANDLE,
                    assertThrows(CompressionException.class, () -> store.free(handle)).code());

            long reused = store.put(data);   // takes the same slot, at the next generation
            assertEquals(handle & 0xFFF_FFFF, reused & 0xFFF_FFFF);
            assertTrue(store.contains(reused));
            assertFalse(store.contains(handle));
            assertTrue(assertThrows(CompressionException.class, () -> store.decompressedSize(handle)).details()
                    .contains("holds another block"));

            CompressionException wrongStore = assertThrows(CompressionException.class, () -> store.get(foreign, arena));
            assertTrue(wrongStore.details().contains("issued by another store"), wrongStore.getMessage());
            assertTrue(assertThrows(CompressionException.class, () -> store.free(0)).details()
                    .contains("0 is never a handle"));
            long neverIssued = (reused & ~0xFFF_FFFFL) | 999;
            assertTrue(assertThrows(CompressionException.class, () -> store.storedSize(neverIssued)).details()
                    .contains("has issued only"));
            assertEquals(-1, data.mismatch(store.get(reused, arena)), "the live block is unharmed");
        }
    }

    @Test
    void errorMessagesSayWhatToDo() {
        try (CompressedStore store = CompressedStore.create()) {
            long handle = store.put(DataSets.TEXT.generate(100, 1));
            store.free(handle);
            CompressionException e = assertThrows(CompressionException.class, () -> store.free(handle));
            String message = e.getMessage();
            assertTrue(message.startsWith("Compression error: Invalid handle [INVALID_HANDLE]\n"
                    + "   Source:    CompressedStore[codec=LZ4, confined, blocks=0, stored=0 bytes, reserved=1048576"
                    + " bytes]\n   Details:   the handle 0x"), message);
            assertTrue(message.endsWith("Suggestions:\n"
                    + "   1. Use a handle that put() of this store returned, and only until it is freed.\n"
                    + "   2. Check for a double free or a use after free: contains(handle) tells whether a block is"
                    + " live."), message);
            assertEquals(-1, e.offset());
            assertEquals(2, e.suggestions().size());
        }
    }

    @Test
    void destinationsThatCannotHoldTheDataAreRefused() {
        try (CompressedStore store = CompressedStore.create(); Arena arena = Arena.ofConfined()) {
            long handle = store.put(DataSets.TEXT.generate(1000, 1));
            MemorySegment small = arena.allocate(999);
            CompressionException tooSmall = assertThrows(CompressionException.class, () -> store.get(handle, small));
            assertEquals(CompressionError.INVALID_DESTINATION, tooSmall.code());
            assertTrue(tooSmall.details().contains("the data has 1000 bytes but the destination only 999"));
            CompressionException readOnly = assertThrows(CompressionException.class,
                    () -> store.get(handle, arena.allocate(1000).asReadOnly()));
            assertEquals(CompressionError.INVALID_DESTINATION, readOnly.code());

            Arena closed = Arena.ofConfined();
            MemorySegment dead = closed.allocate(1000);
            closed.close();
            assertEquals(CompressionError.INACCESSIBLE_SEGMENT,
                    assertThrows(CompressionException.class, () -> store.get(handle, dead)).code());
            assertEquals(CompressionError.INACCESSIBLE_SEGMENT,
                    assertThrows(CompressionException.class, () -> store.put(dead)).code());
            assertEquals(1, store.statistics().puts(), "refused calls change nothing");
            assertEquals(0, store.statistics().gets());
        }
    }

    @Test
    void aConfinedStoreRefusesOtherThreadsAndUseAfterClose() throws Exception {
        CompressedStore store = CompressedStore.create();
        long handle = store.put(DataSets.TEXT.generate(100, 1));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                store.free(handle);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "intruder");
        other.start();
        other.join();
        CompressionException e = assertInstanceOf(CompressionException.class, thrown.get());
        assertEquals(CompressionError.WRONG_THREAD, e.code());
        assertTrue(e.details().contains("but \"intruder\" called it"), e.getMessage());
        assertTrue(store.contains(handle));

        store.close();
        store.close();   // idempotent
        assertTrue(store.isClosed());
        assertEquals(0, store.capacityBytes());
        assertEquals(CompressionError.CLOSED,
                assertThrows(CompressionException.class, () -> store.get(handle, Arena.global())).code());
        assertEquals(CompressionError.CLOSED,
                assertThrows(CompressionException.class, () -> store.put(MemorySegment.ofArray(new byte[1]))).code());
    }

    @Test
    void blocksDamagedInTheStoreAreReportedNeverReturned() {
        MemorySegment text = DataSets.TEXT.generate(4096, 9);
        try (CompressedStore store = CompressedStore.create(); Arena arena = Arena.ofConfined()) {
            long handle = store.put(text);
            MemorySegment block = ((ConfinedStore) store).storedBlock(handle);
            MemorySegment destination = arena.allocate(4096);
            for (long i = 0; i < block.byteSize(); i++) {
                byte original = block.get(ValueLayout.JAVA_BYTE, i);
                block.set(ValueLayout.JAVA_BYTE, i, (byte) (original ^ 0x10));
                long at = i;
                CompressionException e = assertThrows(CompressionException.class,
                        () -> store.get(handle, destination), () -> "byte " + at + " changed, no error");
                assertTrue(e.code() == CompressionError.CORRUPT_DATA || e.code() == CompressionError.TRUNCATED
                        || e.code() == CompressionError.SIZE_MISMATCH
                        || e.code() == CompressionError.UNSUPPORTED_FORMAT, e::getMessage);
                block.set(ValueLayout.JAVA_BYTE, i, original);
            }
            assertEquals(4096, store.get(handle, destination));
            assertEquals(-1, text.mismatch(destination));
        }
    }

    @Test
    void aNativeCodecRoundTripsWhenAvailable() {
        for (Codec codec : Codec.values()) {
            if (codec == Codec.NONE) {
                continue;
            }
            assertTrue(codec.isNativeAvailable(), codec + " native on linux-amd64");
            MemorySegment text = DataSets.TEXT.generate(64 * 1024, 4);
            try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(codec)
                    .withImplementation(CodecImplementation.NATIVE)); Arena arena = Arena.ofConfined()) {
                long handle = store.put(text);
                assertEquals(-1, text.mismatch(store.get(handle, arena)));
            }
        }
    }

    @Test
    void blocksOfEitherImplementationDecodeWithTheOther() {
        MemorySegment text = DataSets.TEXT.generate(20_000, 5);
        for (Codec codec : Codec.values()) {
            if (!codec.hasJavaImplementation()) {
                continue;
            }
            for (CodecImplementation writer : CodecImplementation.values()) {
                CodecImplementation reader = writer == CodecImplementation.JAVA
                        ? CodecImplementation.NATIVE : CodecImplementation.JAVA;
                try (CodecWorker write = new CodecWorker(codec, writer, false, "test");
                     CodecWorker read = new CodecWorker(codec, reader, false, "test");
                     Arena arena = Arena.ofConfined()) {
                    MemorySegment block = arena.allocate(write.compose(text).byteSize());
                    block.copyFrom(write.compose(text));
                    BlockFormat.verify(block, read.crc(), "test");
                    MemorySegment back = arena.allocate(text.byteSize());
                    read.decode(block, back, "test");
                    assertEquals(-1, text.mismatch(back), () -> codec + " written by " + writer);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void zstandardInJavaFailsAtCreationSayingWhatToDo(boolean threadSafe) {
        StoreConfig config = StoreConfig.defaults().withCodec(Codec.ZSTD).withThreadSafe(threadSafe);
        assertEquals(CodecImplementation.JAVA, config.implementation());
        CompressionException e = assertThrows(CompressionException.class, () -> CompressedStore.create(config));
        assertEquals(CompressionError.CODEC_UNAVAILABLE, e.code());
        assertEquals(config.toString(), e.source());
        assertTrue(e.details().startsWith("Zstandard has no Java implementation (CodecImplementation.JAVA)"),
                e::getMessage);
        assertTrue(e.details().contains("outside the FFM API's bounds and liveness checks"), e::getMessage);
        assertTrue(e.suggestions().get(0).contains("CodecImplementation.NATIVE"), e::getMessage);
        assertTrue(e.suggestions().get(0).contains("--enable-native-access=ALL-UNNAMED"), e::getMessage);
        assertTrue(e.suggestions().get(1).contains("Codec.LZ4 (the default), Codec.SNAPPY or Codec.DEFLATE"),
                e::getMessage);
        assertTrue(e.getMessage().contains("Codec unavailable"), e::getMessage);
    }

    @Test
    void everyCodecButZstandardHasAJavaImplementation() {
        for (Codec codec : Codec.values()) {
            assertEquals(codec != Codec.ZSTD, codec.hasJavaImplementation(), codec::name);
        }
    }

    @Test
    void aZstandardBlockFromANativeWriterIsUnavailableToAJavaReader() {
        MemorySegment text = DataSets.TEXT.generate(20_000, 5);
        try (CodecWorker write = new CodecWorker(Codec.ZSTD, CodecImplementation.NATIVE, false, "writer");
             CodecWorker read = new CodecWorker(Codec.LZ4, CodecImplementation.JAVA, false, "reader");
             Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(write.compose(text).byteSize());
            block.copyFrom(write.compose(text));
            MemorySegment back = arena.allocate(text.byteSize());
            CompressionException e = assertThrows(CompressionException.class, () -> read.decode(block, back, "blk"));
            assertEquals(CompressionError.CODEC_UNAVAILABLE, e.code());
            assertEquals("blk", e.source());
        }
    }
}
