package io.nebula.memory.integration;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every allocator's configuration renders as JSON with its component names as keys. */
class ConfigJsonTest {

    @Test
    void bumpConfig() {
        assertEquals("{\"threadSafe\":false,\"trackStats\":false,\"fillPattern\":null,\"zeroOnRelease\":false,"
                + "\"checked\":false,\"leakPolicy\":\"WARN\",\"growth\":null,"
                + "\"threadBufferBytes\":0}", BumpConfig.defaults().toJson());
        assertEquals("{\"threadSafe\":true,\"trackStats\":true,\"fillPattern\":170,\"zeroOnRelease\":false,"
                        + "\"checked\":false,\"leakPolicy\":\"FAIL\",\"growth\":{\"maxChunkBytes\":1048576,"
                        + "\"limitBytes\":67108864,\"keepAllChunks\":false},\"threadBufferBytes\":4096}",
                BumpConfig.defaults().withThreadSafe(true).withTrackStats(true).withFillPattern((byte) 0xAA)
                        .withLeakPolicy(LeakPolicy.FAIL).withGrowth(1 << 20, 64L << 20)
                        .withThreadBufferBytes(4096).toJson());
    }

    @Test
    void poolConfig() {
        assertEquals("{\"threadSafe\":false,\"trackStats\":false,\"fillPattern\":null,\"zeroOnRelease\":false,"
                        + "\"allowGrowth\":true,\"maxBlocks\":" + PoolConfig.defaults().maxBlocks()
                        + ",\"checked\":true,\"leakPolicy\":\"WARN\"}",
                PoolConfig.defaults().withAllowGrowth(true).withChecked(true).toJson());
    }

    @Test
    void stackConfig() {
        assertEquals("{\"threadSafe\":false,\"trackStats\":true,\"fillPattern\":0,\"zeroOnRelease\":true,"
                        + "\"checked\":false,\"leakPolicy\":\"IGNORE\",\"regionSize\":4096}",
                StackConfig.defaults().withTrackStats(true).withFillPattern((byte) 0).withZeroOnRelease(true)
                        .withLeakPolicy(LeakPolicy.IGNORE).withRegionSize(4096).toJson());
    }
}
