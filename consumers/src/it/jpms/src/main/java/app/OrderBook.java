package app;

import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;

/** Prices a batch of orders in a 4 KiB arena; each batch's orders are released when it is priced. */
@Allocator(kind = AllocatorKind.BUMP, size = 4096)
public abstract class OrderBook {

    /** Creates the book. */
    protected OrderBook() {
    }

    /**
     * Allocates one order in the arena, its fields set by parameter name.
     *
     * @param id the order's id
     * @param quantity how many
     * @param price the price of one
     * @return a view of the order
     */
    @Alloc
    protected abstract OrderStruct.View order(long id, int quantity, double price);

    /**
     * Prices {@code count} orders of 1, 2, ... items at 2.5 each.
     *
     * @param count how many orders
     * @return the total price
     */
    @MemoryScope
    public double price(int count) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            OrderStruct.View order = order(i, i + 1, 2.5);
            total += order.quantity() * order.price();
        }
        return total;
    }
}
