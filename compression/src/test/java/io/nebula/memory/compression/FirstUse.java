package io.nebula.memory.compression;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A program that compresses one block with the codec named by its argument: what a user's first use does. */
public final class FirstUse {

    private FirstUse() {
    }

    /**
     * Puts and gets one block.
     *
     * @param args the codec's name, then optionally {@code NATIVE}
     */
    public static void main(String[] args) {
        StoreConfig config = StoreConfig.defaults().withCodec(Codec.valueOf(args[0]));
        if (args.length > 1) {
            config = config.withImplementation(CodecImplementation.valueOf(args[1]));
        }
        MemorySegment text = DataSets.TEXT.generate(4096, 1);
        try (CompressedStore store = CompressedStore.create(config); Arena arena = Arena.ofConfined()) {
            long handle = store.put(text);
            if (text.mismatch(store.get(handle, arena)) != -1) {
                throw new AssertionError("round trip");
            }
            System.out.println("ok " + store.storedSize(handle));
        }
    }
}
