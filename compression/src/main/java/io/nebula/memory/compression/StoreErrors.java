package io.nebula.memory.compression;

/** The errors of a store's lifecycle, shared by both concurrency contracts. */
final class StoreErrors {

    private StoreErrors() {
    }

    static CompressionException closed(Object source) {
        return BlockFormat.error(CompressionError.CLOSED, source, -1, "the store was closed; its blocks are freed",
                "Keep the store open while its handles are in use; close it last (try-with-resources).");
    }

    static CompressionException wrongThread(Thread owner, Object source) {
        return BlockFormat.error(CompressionError.WRONG_THREAD, source, -1,
                "the store is confined to thread \"" + owner.getName() + "\" but \""
                        + Thread.currentThread().getName() + "\" called it",
                "Call the store from the thread that created it.",
                "Or create it with StoreConfig.defaults().withThreadSafe(true) to share it between threads.");
    }
}
