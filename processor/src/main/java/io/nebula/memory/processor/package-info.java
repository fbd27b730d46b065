/**
 * The nebula-memory annotation processor. {@link io.nebula.memory.processor.NebulaProcessor} is the one
 * processor the compiler sees; it hands each round's annotated elements to one {@link
 * io.nebula.memory.processor.ProcessingStep} per annotation family and defers the elements a step cannot
 * finish yet to the next round. Each step validates into a model ({@code validation}, {@code model}) and writes
 * sources from the model ({@code generation}); every diagnostic goes through {@code diagnostics}.
 */
package io.nebula.memory.processor;
