/**
 * The model of a validated struct: its fields, their offsets and the padding between them. Built by
 * {@code validation}, read by {@code generation}; nothing here refers to the compiler's element model except
 * the originating element kept for the filer.
 */
package io.nebula.memory.processor.model;
