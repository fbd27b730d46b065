/** A user's application as a named module: the runtime at run time, the annotations at compile time only. */
module app {
    requires io.nebula.memory;
    requires static io.nebula.memory.annotation;
}
