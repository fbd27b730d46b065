package io.nebula.memory;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * {@link Choices} read from a fuzzer's input, so that Jazzer steers a model-based test operation by operation. Once
 * the input is used up, every choice is its least value, so a run always ends. Test code in an API package so that
 * the fuzz targets of every allocator package can use it; it names Jazzer's types, which the module does not export.
 */
@SuppressWarnings("exports")
public final class FuzzChoices implements Choices {

    private final FuzzedDataProvider data;

    /**
     * Reads choices from {@code data}.
     *
     * @param data the fuzzer's input
     */
    public FuzzChoices(FuzzedDataProvider data) {
        this.data = data;
    }

    /**
     * Tells whether the input has bytes left.
     *
     * @return {@code true} while there are
     */
    public boolean hasMore() {
        return data.remainingBytes() > 0;
    }

    @Override
    public int nextInt(int bound) {
        return data.consumeInt(0, bound - 1);
    }

    @Override
    public int nextInt(int origin, int bound) {
        return data.consumeInt(origin, bound - 1);
    }

    @Override
    public long nextLong(long origin, long bound) {
        return data.consumeLong(origin, bound - 1);
    }

    @Override
    public long nextLong() {
        return data.consumeLong();
    }

    @Override
    public int nextInt() {
        return data.consumeInt();
    }

    @Override
    public boolean nextBoolean() {
        return data.consumeBoolean();
    }
}
