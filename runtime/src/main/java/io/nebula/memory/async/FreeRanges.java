package io.nebula.memory.async;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The free byte ranges of an {@link AsyncArena}'s block: best fit on take, coalescing with both neighbours on give.
 * Offsets and sizes are multiples of the arena's granule. Not thread-safe: the arena calls it under its lock.
 */
final class FreeRanges {

    /** A free range, ordered by size, then offset, for best-fit look-ups. */
    private record Free(long size, long offset) {
    }

    private static final Comparator<Free> BY_SIZE =
            Comparator.comparingLong(Free::size).thenComparingLong(Free::offset);

    private final TreeMap<Long, Long> byOffset = new TreeMap<>();
    private final TreeSet<Free> bySize = new TreeSet<>(BY_SIZE);

    FreeRanges(long capacity) {
        add(0, capacity);
    }

    /**
     * Takes the smallest free range that holds {@code size} bytes, from its start.
     *
     * @return the offset taken, or {@code -1} when no free range is large enough
     */
    long take(long size) {
        Free fit = bySize.ceiling(new Free(size, -1));
        if (fit == null) {
            return -1;
        }
        remove(fit.offset(), fit.size());
        if (fit.size() > size) {
            add(fit.offset() + size, fit.size() - size);
        }
        return fit.offset();
    }

    /** Gives back a range taken earlier, merging it with free neighbours. */
    void give(long offset, long size) {
        long start = offset;
        long end = offset + size;
        Map.Entry<Long, Long> before = byOffset.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset) {
            remove(before.getKey(), before.getValue());
            start = before.getKey();
        }
        Map.Entry<Long, Long> after = byOffset.ceilingEntry(end);
        if (after != null && after.getKey() == end) {
            remove(after.getKey(), after.getValue());
            end = after.getKey() + after.getValue();
        }
        add(start, end - start);
    }

    /** Returns the size of the largest free range, 0 when none. */
    long largest() {
        return bySize.isEmpty() ? 0 : bySize.last().size();
    }

    /** Returns the number of free ranges. */
    int count() {
        return byOffset.size();
    }

    private void add(long offset, long size) {
        byOffset.put(offset, size);
        bySize.add(new Free(size, offset));
    }

    private void remove(long offset, long size) {
        byOffset.remove(offset);
        bySize.remove(new Free(size, offset));
    }
}
