package app;

import io.nebula.memory.annotation.Struct;

/** An order as a native struct: 8 + 4 bytes, 4 of padding, then 8. */
@Struct
public record Order(long id, int quantity, double price) {
}
