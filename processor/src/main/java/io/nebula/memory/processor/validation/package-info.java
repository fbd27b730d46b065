/**
 * Turns annotated elements into models, reporting every problem on the element and annotation value at fault.
 */
package io.nebula.memory.processor.validation;
