package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The used bytes of a {@link BumpAllocator}, compressed into one self-describing block: take a snapshot of an
 * arena, reset or close the arena, and restore the bytes later into the same arena or another. For spilling the
 * state of an idle request out of its arena, or keeping parsed data compressed until it is needed again.
 * <pre>{@code
 * Snapshot cold = Snapshot.take(requestArena, spillPool);   // compress arena bytes [0, usedBytes())
 * requestArena.reset();                                     // the arena serves other requests
 * ...
 * cold.restore(requestArena);                               // empty again? the bytes come back at the same offsets
 * }</pre>
 *
 * <h2>What is restored</h2>
 * The bytes {@code [0, usedBytes())} of the arena's {@link BumpAllocator#segment() segment}, at the same offsets,
 * and the arena's used bytes: after a restore, {@code usedBytes()} equals {@link #arenaBytes()} (on a thread-safe
 * arena too: the rest of the restoring thread's thread buffer is given back), and the next allocation lands where it
 * would have in the original arena. Segments are not restored, only bytes: keep
 * <em>offsets</em> into the arena (the {@code allocateOffset} path, or a segment's offset from the arena's base)
 * and derive segments and struct views from the restored arena's {@code segment()} again. Both arenas' blocks are
 * aligned to 64 bytes, so allocations aligned to at most 64 bytes stay aligned.
 *
 * <h2>Format and memory</h2>
 * A snapshot is one block in the package's block format (header with codec, lengths and a CRC32C; see
 * {@code BlockFormat} in the package documentation), held in a segment that {@code take} allocates from the
 * {@link SegmentAllocator} you give it: a pool, another arena, {@code Arena.ofAuto()}. It lives as long as that
 * memory does. {@link #toSegment()} returns those bytes to write to a file or a socket; {@link #from(MemorySegment)}
 * reads them back and validates them, and {@link #restore(BumpAllocator)} validates them again, since they may
 * have changed in between. A damaged snapshot is a {@link CompressionException}, never a wrong restore.
 *
 * <p>The arena must be a fixed (non-growable) arena outside checked mode: in checked mode allocations do not live
 * in {@code segment()}. At most 1 GiB of used bytes per snapshot. Take a snapshot of a thread-safe arena while no
 * thread allocates from it or writes to it, as you would copy any memory that others are changing.
 */
public final class Snapshot {

    private final MemorySegment container;
    private final Codec codec;
    private final int arenaBytes;

    private Snapshot(MemorySegment container) {
        this.container = container;
        this.codec = BlockFormat.codec(container);
        this.arenaBytes = BlockFormat.rawLength(container);
    }

    /**
     * Compresses the used bytes of {@code arena} with LZ4 into memory from {@code into}.
     *
     * @param arena the arena to snapshot; not changed
     * @param into  where the snapshot's bytes are allocated
     * @return the snapshot
     * @throws CompressionException {@link CompressionError#INCOMPATIBLE_ARENA} for an arena in checked mode,
     *     {@link CompressionError#TOO_LARGE} over 1 GiB, {@link CompressionError#INACCESSIBLE_SEGMENT} for a
     *     closed arena or a confined arena of another thread
     */
    public static Snapshot take(BumpAllocator arena, SegmentAllocator into) {
        return take(arena, Codec.LZ4, into);
    }

    /**
     * Compresses the used bytes of {@code arena} with {@code codec} (its Java implementation) into memory from
     * {@code into}.
     *
     * @param arena the arena to snapshot; not changed
     * @param codec the codec; data it does not shrink is kept as {@link Codec#NONE}
     * @param into  where the snapshot's bytes are allocated
     * @return the snapshot
     * @throws CompressionException as {@link #take(BumpAllocator, SegmentAllocator)}, and
     *     {@link CompressionError#CODEC_UNAVAILABLE} for {@link Codec#ZSTD}, which has no Java implementation
     */
    public static Snapshot take(BumpAllocator arena, Codec codec, SegmentAllocator into) {
        return take(arena, codec, CodecImplementation.JAVA, into);
    }

    /**
     * Compresses the used bytes of {@code arena} with {@code codec} in {@code implementation} into memory from
     * {@code into}. Both implementations write the same format: any of them restores the snapshot.
     *
     * @param arena          the arena to snapshot; not changed
     * @param codec          the codec; data it does not shrink is kept as {@link Codec#NONE}
     * @param implementation Java, or native (see {@link CodecImplementation#NATIVE} for the flag it needs)
     * @param into           where the snapshot's bytes are allocated
     * @return the snapshot
     * @throws CompressionException as {@link #take(BumpAllocator, SegmentAllocator)}, and
     *     {@link CompressionError#CODEC_UNAVAILABLE} when the codec cannot run in {@code implementation}
     */
    public static Snapshot take(BumpAllocator arena, Codec codec, CodecImplementation implementation,
                                SegmentAllocator into) {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(implementation, "implementation");
        Objects.requireNonNull(into, "into");
        if (arena.isChecked()) {
            throw checkedArena(arena);
        }
        MemorySegment used = arena.segment().asSlice(0, arena.usedBytes());
        Segments.checkInput(used, arena);
        try (CodecWorker worker = new CodecWorker(codec, implementation, false, arena)) {
            MemorySegment block = worker.compose(used);
            MemorySegment container = into.allocate(block.byteSize(), 8);
            MemorySegment.copy(block, 0, container, 0, block.byteSize());
            return new Snapshot(container);
        }
    }

    /**
     * Reads a snapshot from the bytes that {@link #toSegment()} returned, after checking them completely: header,
     * lengths and checksum. The snapshot uses {@code bytes} without copying (unless it is a heap segment over an
     * array other than {@code byte[]}), so they must stay unchanged and alive while it is in use.
     *
     * @param bytes exactly the snapshot's bytes
     * @return the snapshot
     * @throws CompressionException {@link CompressionError#TRUNCATED}, {@link CompressionError#SIZE_MISMATCH},
     *     {@link CompressionError#CORRUPT_DATA}, {@link CompressionError#UNSUPPORTED_FORMAT} or
     *     {@link CompressionError#INACCESSIBLE_SEGMENT}
     */
    public static Snapshot from(MemorySegment bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Segments.checkAccessible(bytes, "snapshot", "snapshot container");
        MemorySegment container = bytes;
        if (!bytes.isNative() && !(bytes.heapBase().orElse(null) instanceof byte[])) {
            container = MemorySegment.ofArray(bytes.toArray(ValueLayout.JAVA_BYTE));
        }
        BlockFormat.verify(container, new CRC32C(), describe(container));
        return new Snapshot(container);
    }

    /**
     * Writes the snapshot's bytes back into {@code arena}, which must be empty, decoding them with the
     * {@link CodecImplementation#JAVA} implementation: after the call its {@code usedBytes()} is
     * {@link #arenaBytes()} and its segment holds the snapshotted bytes at their offsets.
     *
     * @param arena an empty (new or reset) arena of at least {@link #arenaBytes()} bytes, not in checked mode
     * @throws CompressionException {@link CompressionError#INCOMPATIBLE_ARENA} when the arena is not empty, too
     *     small or in checked mode; {@link CompressionError#CORRUPT_DATA} and the other format errors of
     *     {@link #from(MemorySegment)} when the snapshot's bytes changed since; the arena is then left empty;
     *     {@link CompressionError#CODEC_UNAVAILABLE} for a {@link Codec#ZSTD} snapshot, which has no Java
     *     implementation (restore it with {@link #restore(BumpAllocator, CodecImplementation)} and
     *     {@link CodecImplementation#NATIVE}), before the arena is touched
     * @throws io.nebula.memory.AllocationException when the arena is closed or confined to another thread
     */
    public void restore(BumpAllocator arena) {
        restore(arena, CodecImplementation.JAVA);
    }

    /**
     * Writes the snapshot's bytes back into {@code arena}, as {@link #restore(BumpAllocator)}, decoding them with
     * {@code implementation}.
     *
     * @param arena          an empty (new or reset) arena of at least {@link #arenaBytes()} bytes, not in checked
     *                       mode
     * @param implementation Java, or native (see {@link CodecImplementation#NATIVE} for the flag it needs)
     * @throws CompressionException as {@link #restore(BumpAllocator)}; {@link CompressionError#CODEC_UNAVAILABLE}
     *     when the snapshot's codec cannot run in {@code implementation}, before the arena is touched
     * @throws io.nebula.memory.AllocationException when the arena is closed or confined to another thread
     */
    public void restore(BumpAllocator arena, CodecImplementation implementation) {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(implementation, "implementation");
        if (arena.isChecked()) {
            throw checkedArena(arena);
        }
        if (arena.usedBytes() != 0) {
            throw BlockFormat.error(CompressionError.INCOMPATIBLE_ARENA, this, -1,
                    "the arena " + arena + " has " + arena.usedBytes() + " bytes in use; a snapshot is restored"
                            + " into an empty arena",
                    "Call arena.reset() first, if what it holds is no longer needed.",
                    "Or restore into a new arena: BumpAllocator.create(" + Math.max(1, arenaBytes) + ").");
        }
        if (arena.capacityBytes() < arenaBytes) {
            throw BlockFormat.error(CompressionError.INCOMPATIBLE_ARENA, this, -1,
                    "the snapshot holds " + arenaBytes + " bytes but the arena " + arena + " only "
                            + arena.capacityBytes(),
                    "Restore into an arena of at least " + arenaBytes + " bytes: BumpAllocator.create("
                            + arenaBytes + ").");
        }
        Segments.checkAccessible(container, "snapshot", this);
        BlockFormat.verify(container, new CRC32C(), this);
        // The codec's decoder first: a codec that cannot run here fails before the arena is touched.
        try (CodecWorker worker = new CodecWorker(codec, implementation, false, this)) {
            long offset = arena.allocateOffset(arenaBytes, 1);
            if (arena.config().threadSafe()) {
                // A thread-safe arena counts this thread's whole thread buffer as used from its reservation; a
                // checkpoint gives back its unused rest, so that usedBytes() is exactly arenaBytes.
                arena.checkpoint();
            }
            try {
                MemorySegment target = Segments.checkDestination(arena.segment().asSlice(offset, arenaBytes),
                        arenaBytes, this);
                worker.decode(container, target, this);
            } catch (RuntimeException | Error e) {
                arena.reset();
                throw e;
            }
        }
    }

    /**
     * Returns the number of arena bytes the snapshot holds: the arena's {@code usedBytes()} when it was taken.
     *
     * @return the uncompressed size
     */
    public long arenaBytes() {
        return arenaBytes;
    }

    /**
     * Returns the size of the snapshot: its 24-byte header and compressed payload.
     *
     * @return the bytes of {@link #toSegment()}
     */
    public long byteSize() {
        return container.byteSize();
    }

    /**
     * Returns the codec of the payload: the one asked for, or {@link Codec#NONE} when it did not shrink the bytes.
     *
     * @return the codec
     */
    public Codec codec() {
        return codec;
    }

    /**
     * Returns the snapshot's bytes, read-only: write them anywhere and read them back with
     * {@link #from(MemorySegment)}.
     *
     * @return a read-only view of the snapshot's memory
     */
    public MemorySegment toSegment() {
        return container.asReadOnly();
    }

    private static String describe(MemorySegment container) {
        return "snapshot container of " + container.byteSize() + " bytes";
    }

    private static CompressionException checkedArena(BumpAllocator arena) {
        return BlockFormat.error(CompressionError.INCOMPATIBLE_ARENA, arena, -1,
                "the arena is in checked mode, where each allocation lives in a JDK arena of its own, not in the"
                        + " arena's segment",
                "Snapshot an arena created without checked mode (and without -Dnebula.memory.checked=true).");
    }

    @Override
    public String toString() {
        return "Snapshot[" + codec + ", " + arenaBytes + " arena bytes in " + container.byteSize() + " bytes]";
    }
}
