package io.nebula.memory.compression;

/**
 * A snapshot of a {@link CompressedStore}'s counters, taken by {@link CompressedStore#statistics()}. The counters
 * are exact: a thread-safe store's are exact once the threads that used it have joined.
 *
 * @param puts            blocks added
 * @param gets            blocks read back
 * @param frees           blocks freed
 * @param bytesIn         data bytes given to {@code put}, over every put
 * @param bytesOut        data bytes written by {@code get}, over every get
 * @param bytesStored     block bytes (header and payload) written by {@code put}, over every put
 * @param liveBlocks      blocks stored now
 * @param liveRawBytes    data bytes of the blocks stored now
 * @param liveStoredBytes block bytes (header and payload) of the blocks stored now
 * @param reservedBytes   native memory the store holds now: its chunks, spare and partly free ones included
 * @param compactions     chunks whose live blocks were moved so that the chunk could be reused
 * @param bytesMoved      block bytes copied by compaction
 */
public record StoreStatistics(
        long puts,
        long gets,
        long frees,
        long bytesIn,
        long bytesOut,
        long bytesStored,
        long liveBlocks,
        long liveRawBytes,
        long liveStoredBytes,
        long reservedBytes,
        long compactions,
        long bytesMoved) {

    /**
     * Returns the compression ratio over every put: data bytes in per block byte stored, headers included. Text
     * reaches about 2 with LZ4; random bytes give slightly under 1 (their header).
     *
     * @return {@code bytesIn / bytesStored}, or 0 when nothing was stored
     */
    public double ratio() {
        return bytesStored == 0 ? 0 : (double) bytesIn / bytesStored;
    }

    /**
     * Returns the ratio of the blocks stored now, headers included.
     *
     * @return {@code liveRawBytes / liveStoredBytes}, or 0 when the store is empty
     */
    public double liveRatio() {
        return liveStoredBytes == 0 ? 0 : (double) liveRawBytes / liveStoredBytes;
    }

    /**
     * Renders the snapshot as a JSON object, with the component names as keys and the two ratios.
     *
     * @return a JSON object such as {@code {"puts":3,"gets":1,...,"ratio":2.41,"liveRatio":2.41}}
     */
    public String toJson() {
        return "{\"puts\":" + puts
                + ",\"gets\":" + gets
                + ",\"frees\":" + frees
                + ",\"bytesIn\":" + bytesIn
                + ",\"bytesOut\":" + bytesOut
                + ",\"bytesStored\":" + bytesStored
                + ",\"liveBlocks\":" + liveBlocks
                + ",\"liveRawBytes\":" + liveRawBytes
                + ",\"liveStoredBytes\":" + liveStoredBytes
                + ",\"reservedBytes\":" + reservedBytes
                + ",\"compactions\":" + compactions
                + ",\"bytesMoved\":" + bytesMoved
                + ",\"ratio\":" + ratio()
                + ",\"liveRatio\":" + liveRatio()
                + "}";
    }
}
