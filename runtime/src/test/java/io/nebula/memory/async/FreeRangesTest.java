package io.nebula.memory.async;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The free ranges against a model: one flag per unit, taken or free. */
class FreeRangesTest {

    @Test
    void randomTakesAndGivesAgreeWithTheModel() {
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int units = 256;
            boolean[] taken = new boolean[units];
            FreeRanges ranges = new FreeRanges(units);
            List<long[]> live = new ArrayList<>();
            for (int step = 0; step < 5_000; step++) {
                if (live.isEmpty() || random.nextInt(3) > 0) {
                    long size = 1 + random.nextInt(32);
                    long offset = ranges.take(size);
                    long largestRun = largestFreeRun(taken);
                    if (offset < 0) {
                        assertTrue(largestRun < size, "refused " + size + " with a free run of " + largestRun);
                        continue;
                    }
                    for (long u = offset; u < offset + size; u++) {
                        assertFalse(taken[(int) u], "unit " + u + " handed out twice");
                        taken[(int) u] = true;
                    }
                    live.add(new long[] {offset, size});
                } else {
                    long[] range = live.remove(random.nextInt(live.size()));
                    ranges.give(range[0], range[1]);
                    for (long u = range[0]; u < range[0] + range[1]; u++) {
                        taken[(int) u] = false;
                    }
                }
                assertEquals(largestFreeRun(taken), ranges.largest(), "largest free range, step " + step);
                assertEquals(freeRuns(taken), ranges.count(), "ranges merge with their neighbours, step " + step);
            }
            for (long[] range : live) {
                ranges.give(range[0], range[1]);
            }
            assertEquals(units, ranges.largest());
            assertEquals(1, ranges.count());
        }
    }

    private static long largestFreeRun(boolean[] taken) {
        long best = 0;
        long run = 0;
        for (boolean t : taken) {
            run = t ? 0 : run + 1;
            best = Math.max(best, run);
        }
        return best;
    }

    private static int freeRuns(boolean[] taken) {
        int runs = 0;
        for (int i = 0; i < taken.length; i++) {
            if (!taken[i] && (i == 0 || taken[i - 1])) {
                runs++;
            }
        }
        return runs;
    }
}
