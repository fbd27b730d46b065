/**
 * Writes the generated sources from validated models, with Palantir JavaPoet.
 */
package io.nebula.memory.processor.generation;
