/**
 * The nebula-memory annotation DSL: {@code @Struct} and {@code @Array} declare native struct layouts,
 * {@code @Allocator}, {@code @MemoryScope} and {@code @Alloc} declare scoped allocation. The annotations are read
 * at compile time by the processor ({@code io.nebula.memory.processor}); a module that uses them needs them only
 * at compile time: {@code requires static io.nebula.memory.annotation;}.
 */
module io.nebula.memory.annotation {
    exports io.nebula.memory.annotation;
}
