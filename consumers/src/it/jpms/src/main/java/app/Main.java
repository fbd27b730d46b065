package app;

import io.nebula.memory.AllocationException;
import io.nebula.memory.simd.MemoryKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A consumer of nebula-memory: structs, scoped allocation, an error from generated code, the kernels. */
public final class Main {
    private Main() {
    }

    /**
     * Runs the program.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("order size: " + OrderStruct.SIZE);
        try (OrderBook_Memory book = OrderBook_Memory.create()) {
            System.out.println("10 orders: " + book.price(10));
            System.out.println("used after the scope: " + book.allocator().usedBytes());
            try {
                book.price(1000);
            } catch (AllocationException e) {
                System.out.println("1000 orders: " + e.code() + ". " + e.suggestions().getFirst());
            }
            System.out.println("used after the failure: " + book.allocator().usedBytes());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4096);
            MemorySegment b = arena.allocate(4096);
            MemoryKernels.fill(a, 0, 4096, (byte) 7);
            MemoryKernels.copy(a, 0, b, 0, 4096);
            System.out.println("kernels: " + MemoryKernels.activeVariant() + ", equal: "
                    + MemoryKernels.equals(a, 0, b, 0, 4096));
        }
    }
}
