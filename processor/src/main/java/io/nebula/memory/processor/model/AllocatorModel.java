package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import io.nebula.memory.annotation.AllocatorKind;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.lang.model.element.TypeElement;

/**
 * A validated {@code @Allocator} class: everything the generator needs to write its subclass.
 *
 * @param element the annotated class, the originating element of the generated file
 * @param annotatedType the annotated class
 * @param typeVariables the type parameters of the annotated class, which the subclass repeats
 * @param generatedType the generated subclass
 * @param isPublic whether the generated subclass is public
 * @param settings the allocator the subclass creates
 * @param constructors the constructors the subclass mirrors as factories
 * @param allocs the {@code @Alloc} methods it implements
 * @param scopes the {@code @MemoryScope} methods it overrides
 * @param implementsAccessor whether the class declares an abstract {@code allocator()} for the subclass to
 *     implement
 * @param superClose the exceptions of the concrete {@code close()} the subclass's {@code close()} calls first, if
 *     the class has one
 * @param allocatorFactory the name of the subclass's private factory of its allocator, free of the user's names
 * @param qualifiedNames simple names the generated code must write qualified, because a type of its package
 *     shadows the {@code java.lang} type of that name
 */
public record AllocatorModel(
        TypeElement element,
        ClassName annotatedType,
        List<TypeVariableName> typeVariables,
        ClassName generatedType,
        boolean isPublic,
        Settings settings,
        List<MethodSignature> constructors,
        List<AllocMethod> allocs,
        List<MethodSignature> scopes,
        boolean implementsAccessor,
        Optional<List<TypeName>> superClose,
        String allocatorFactory,
        Set<String> qualifiedNames) {

    /** Copies the lists. */
    public AllocatorModel {
        typeVariables = List.copyOf(typeVariables);
        constructors = List.copyOf(constructors);
        allocs = List.copyOf(allocs);
        scopes = List.copyOf(scopes);
        qualifiedNames = Set.copyOf(qualifiedNames);
    }

    /**
     * The allocator an {@code @Allocator} class owns.
     *
     * @param kind the kind
     * @param size the capacity in bytes of a bump or stack allocator, or 0 for a pool
     * @param blockSize the block size in bytes of a pool, or 0
     * @param blockAlignment the block alignment in bytes of a pool, or 0
     * @param block the struct the pool's blocks are sized from, if any
     * @param blockCount the number of blocks of a pool, or 0
     * @param threadSafe whether the allocator is thread-safe
     * @param trackStats whether the allocator keeps statistics
     * @param fillPattern the fill pattern, if any
     * @param checked whether the allocator runs in checked mode
     */
    public record Settings(AllocatorKind kind, long size, long blockSize, long blockAlignment,
            Optional<StructRef> block, int blockCount, boolean threadSafe, boolean trackStats,
            OptionalInt fillPattern, boolean checked) {
    }
}
