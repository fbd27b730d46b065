/**
 * Implementation helpers shared by the allocators. Not API: anything here may change without notice.
 */
package io.nebula.memory.internal;
