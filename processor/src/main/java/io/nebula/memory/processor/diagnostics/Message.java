package io.nebula.memory.processor.diagnostics;

import java.util.Locale;

/**
 * Every diagnostic the processor can print, in one place. Each carries a short tag, printed as
 * {@code [nebula/Tag]} in front of the text, that users can search for; each text says what is wrong, with the
 * numbers involved, and how to fix it. Arguments are {@link String#format(String, Object...)} arguments.
 */
public enum Message {
    /** {@code @Struct} on a class, interface or enum. Args: type, kind of element, simple name. */
    STRUCT_NOT_RECORD("StructNotRecord",
            "@Struct applies to records only, but %s is %s. Declare it as a record whose components are the"
                    + " fields, for example: record %s(int x, int y) {}"),
    /** A generic struct record. Args: type, type parameters. */
    STRUCT_GENERIC("GenericStruct",
            "@Struct record %s declares type parameters %s, but a native layout needs concrete field types."
                    + " Remove the type parameters"),
    /** A struct record without components. Args: type, simple name. */
    STRUCT_EMPTY("EmptyStruct",
            "@Struct record %s has no components, but a native struct needs at least one field. Add one, for"
                    + " example: record %s(int value) {}"),
    /** A private or local struct record. Args: type, why, generated class. */
    STRUCT_INACCESSIBLE("InaccessibleStruct",
            "@Struct record %s is %s, so the generated %s cannot refer to it. Make it (and every type enclosing it)"
                    + " at least package-private, and declare it outside any method"),
    /** A component whose type has no native layout. Args: component, type, hint. */
    UNSUPPORTED_TYPE("UnsupportedType",
            "Component %s has type %s, which has no native layout. Supported: byte, short, char, int, long, float,"
                    + " double, boolean, a @Struct record, or a one-dimensional array of these with"
                    + " @Array(length = N).%s"),
    /** An array component without {@code @Array}. Args: component, element type. */
    ARRAY_WITHOUT_LENGTH("MissingArrayLength",
            "Array component %s has no fixed length, so it cannot be laid out inline. Annotate it with"
                    + " @Array(length = N), for example: @Array(length = 16) %s[] %s"),
    /** {@code @Array(length = n)} with n &lt;= 0. Args: component, length. */
    ARRAY_LENGTH_NOT_POSITIVE("ArrayLength",
            "@Array(length = %2$d) on %1$s: the length must be at least 1. Give the number of elements the"
                    + " array holds inline"),
    /** {@code @Array} on a component that is not an array. Args: component, type. */
    ARRAY_ON_NON_ARRAY("ArrayOnNonArray",
            "@Array applies to array components, but %s has type %s. Remove @Array, or make the component an"
                    + " array"),
    /** {@code @Array} on a component of a record that is not a struct. Args: component, record. */
    ARRAY_OUTSIDE_STRUCT("ArrayOutsideStruct",
            "@Array on %s has no effect: %s is not annotated with @Struct. Annotate the record with @Struct, or"
                    + " remove @Array"),
    /** A struct whose size does not fit in a long. Args: type, component. */
    SIZE_OVERFLOW("SizeOverflow",
            "Struct %s is too large: its size in bytes overflows a long at component %s. Reduce the array"
                    + " lengths"),
    /** An explicit alignment that is not a power of two. Args: parameter, alignment, lower power, higher power. */
    ALIGNMENT_NOT_POWER_OF_TWO("Alignment",
            "%s = %d is not a power of two. Use a power of two, for example %d or %d"),
    /** An explicit alignment below the natural one. Args: alignment, type, natural, field. */
    ALIGNMENT_BELOW_NATURAL("Alignment",
            "alignment = %d is below the natural alignment of %s, which is %d (field %s). Use %3$d or a larger"
                    + " power of two, or remove alignment"),
    /** A declared size that differs from the computed one. Args: declared, type, computed, layout. */
    SIZE_MISMATCH("SizeMismatch",
            "size = %d, but the computed layout of %s is %d bytes: %s. Change the fields, or declare size = %3$d"),
    /** A struct that contains itself. Args: type, cycle. */
    STRUCT_CYCLE("StructCycle",
            "Struct %s contains itself: %s. A struct is laid out inline, so it cannot contain itself; store an"
                    + " index or an offset (an int or a long) instead"),
    /** A struct of alignment above 1 in a packed struct. Args: packed type, component, nested, alignment. */
    PACKED_NESTED("PackedNested",
            "Packed struct %s cannot hold %s at an unaligned offset: %s has alignment %d. Declare %3$s with"
                    + " @Struct(packed = true), or remove packed from %1$s"),
    /** A component named like the layout's padding. Args: component, prefix. */
    RESERVED_PADDING_NAME("ReservedName",
            "Component %s has a name of the form %s<n>, which the struct layout gives its padding. Rename the"
                    + " component"),
    /** A component named like a method of the generated view. Args: component, view method. */
    RESERVED_NAME("ReservedName",
            "Component %s has the name of the generated method View.%s(). Rename the component"),
    /** Two components whose generated names collide. Args: component, other component, generated name. */
    NAME_CLASH("NameClash",
            "Components %s and %s both generate the member %s. Rename one of them"),
    /** Two annotated types whose generated types have one name. Args: type, other type, generated name. */
    TYPE_NAME_CLASH("NameClash",
            "%s and %s both map to the generated name %s, so %1$s is not generated. Rename one of them (a nested"
                    + " type's generated name joins its simple names with _)"),
    /** A class outside the processor's output that has the generated name. Args: generated name, type. */
    GENERATED_NAME_TAKEN("NameClash",
            "The class %s already exists, but it is the name of the code generated for %s. Rename or delete that"
                    + " class (if it is an old copy of generated code, delete it), or rename %2$s"),
    /** A member the generated class declares that the user's class already declares. Args: type, member, what. */
    MEMBER_NAME_CLASH("NameClash",
            "%s declares %s, which the generated subclass declares too: %s. Rename it"),
    /** An annotated type in an auxiliary class. Args: type, file, generated class, top-level class. */
    AUXILIARY_CLASS("AuxiliaryClass",
            "%s is declared in %s, a file named after another class, so javac's [auxiliaryclass] lint (part of"
                    + " -Xlint:all) warns on every use of it in the generated %s, and no @SuppressWarnings can"
                    + " silence warnings on signatures. Move %4$s into a file of its own, %4$s.java, or nest it in a"
                    + " public class"),
    /** A struct still referring to an unresolved type after the last round. Args: type, component, type. */
    UNRESOLVED_TYPE("UnresolvedType",
            "Did not generate the struct code of %s: component %s has the type %s, which could not be resolved."
                    + " Check its import, or the processor that should generate it"),
    /** {@code @Allocator} on something other than a class. Args: type, kind of element. */
    ALLOCATOR_NOT_CLASS("AllocatorNotClass",
            "@Allocator applies to abstract classes, but %s is %s. Declare an abstract class whose @Alloc and"
                    + " @MemoryScope methods the generated subclass implements"),
    /** {@code @Allocator} on a final class. Args: type. */
    ALLOCATOR_FINAL("AllocatorFinalClass",
            "@Allocator class %s is final, so no subclass can own its allocator. Remove final; the generated"
                    + " subclass is final instead"),
    /** {@code @Allocator} on a class the generated subclass cannot extend. Args: type, why. */
    ALLOCATOR_INACCESSIBLE("AllocatorInaccessible",
            "@Allocator class %s is %s, so the generated subclass cannot extend it. Make it a top-level or static"
                    + " nested class that is at least package-private"),
    /** {@code @Allocator} on a class without a non-private constructor. Args: type. */
    ALLOCATOR_NO_CONSTRUCTOR("AllocatorNoConstructor",
            "@Allocator class %s has no constructor its subclass can call: every constructor is private. Make"
                    + " one at least package-private"),
    /** A parameter the kind needs is missing. Args: kind, parameter(s), example. */
    ALLOCATOR_PARAMETER_MISSING("AllocatorParameter",
            "A %s allocator needs %s. For example: %s"),
    /** A parameter the kind does not use. Args: parameter, kind, kinds that use it. */
    ALLOCATOR_PARAMETER_UNUSED("AllocatorParameter",
            "%s has no meaning for a %s allocator (it applies to %s). Remove it, or change the kind"),
    /** Two parameters of which one must be given. Args: one, other. */
    ALLOCATOR_PARAMETER_CONFLICT("AllocatorParameter",
            "Give either %s or %s, not both: the block size follows from one of them"),
    /** A size or count below 1. Args: parameter, value. */
    SIZE_NOT_POSITIVE("SizeNotPositive",
            "%s = %d: it must be at least 1. Give the number of bytes or elements you need"),
    /** A fill pattern that is not a byte. Args: value. */
    FILL_PATTERN_RANGE("FillPattern",
            "fillPattern = %d is not a byte value. Use a value from -128 to 255, for example 0xAA"),
    /** A class referred to as a struct that is not a {@code @Struct} record. Args: parameter, type. */
    NOT_A_STRUCT("NotAStruct",
            "%s = %s.class is not a @Struct record. Name a record annotated with @Struct"),
    /** An abstract method the subclass would not implement. Args: method, type. */
    ABSTRACT_NOT_ALLOC("AbstractNotAlloc",
            "Abstract method %s of @Allocator class %s is not an @Alloc method, so the generated subclass cannot"
                    + " implement it. Annotate it with @Alloc, or implement it"),
    /** A user {@code allocator()} the subclass cannot implement. Args: type, generated type, allocator class. */
    ALLOCATOR_ACCESSOR("AllocatorAccessor",
            "%s declares allocator(), which the generated %s implements to return its %s. Declare it abstract,"
                    + " without parameters, returning %3$s or a supertype of it, or rename it"),
    /** A final {@code close()} in an {@code @Allocator} class. Args: type, generated type. */
    FINAL_CLOSE("FinalClose",
            "%s declares a final close(), but the generated %s must override close() to free its allocator. Remove"
                    + " final; the generated close() calls yours first"),
    /** The runtime is not on the class path. Args: missing class. */
    RUNTIME_MISSING("RuntimeMissing",
            "The generated subclass needs %s, which is not on the class path. Add the dependency"
                    + " io.nebula.memory:nebula-memory-runtime"),
    /** {@code @MemoryScope} or {@code @Alloc} outside an {@code @Allocator} class. Args: annotation, type. */
    NO_ALLOCATOR("NoAllocator",
            "@%s needs an allocator, but %s is not annotated with @Allocator. Annotate the class, for example"
                    + " @Allocator(kind = AllocatorKind.BUMP, size = 4096)"),
    /** {@code @MemoryScope} on a method that cannot be overridden. Args: method, modifier, fix. */
    SCOPE_NOT_OVERRIDABLE("ScopeNotOverridable",
            "@MemoryScope method %s is %s, so the generated subclass cannot override it to open and close the"
                    + " scope. %s"),
    /** {@code @MemoryScope} and {@code @Alloc} on one method. Args: method. */
    SCOPE_ON_ALLOC("ScopeOnAlloc",
            "@MemoryScope method %s is also an @Alloc method, whose memory belongs to its caller: a scope around it"
                    + " would free that memory as it returns it. Remove @MemoryScope"),
    /** Scoped memory reaching a place that outlives the call. Args: method, what escapes, how. */
    SCOPE_ESCAPE("ScopeEscape",
            "@MemoryScope method %s lets %s escape: %s. The scope frees that memory when the method returns, so a"
                    + " later use would read or overwrite other data. Copy out the values you need (view.toRecord(),"
                    + " segment.toArray(...)), or allocate outside the scope"),
    /** A scoped method whose return type carries native memory (the return-type check). Args: method, type. */
    SCOPE_ESCAPE_BY_TYPE("ScopeEscape",
            "@MemoryScope method %s returns %s, a type that carries native memory, which the scope frees when the"
                    + " method returns. Return values instead (for a view, view.toRecord()), or allocate outside the"
                    + " scope"),
    /** The note that only return types are checked. No args. */
    SCOPE_CHECK_BY_TYPE("ScopeCheck",
            "This compiler offers no tree API (com.sun.source), so @MemoryScope methods are checked by their return"
                    + " types only; memory stored in fields or collections, or returned as Object, is not detected."
                    + " Compile with javac for the full lifetime check"),
    /** {@code @Alloc} on a concrete method. Args: method. */
    ALLOC_NOT_ABSTRACT("AllocNotAbstract",
            "@Alloc method %s has a body, but the generated subclass implements @Alloc methods. Declare it"
                    + " abstract, without a body"),
    /** {@code @Alloc} on a static, private, final or generic method. Args: method, what, fix. */
    ALLOC_UNSUPPORTED_METHOD("AllocMethod",
            "@Alloc method %s is %s, so the generated subclass cannot implement it. %s"),
    /** An unsupported {@code @Alloc} return type. Args: method, type, view, record. */
    ALLOC_RETURN_TYPE("AllocReturnType",
            "@Alloc method %s returns %s. Return the View of a @Struct record (%s), or a MemorySegment with"
                    + " @Alloc(struct = %s.class) or @Alloc(bytes = N)"),
    /** A {@code MemorySegment} allocation with neither or both of struct and bytes. Args: method, record, which. */
    ALLOC_SEGMENT_SHAPE("AllocSegmentShape",
            "@Alloc method %s returns a MemorySegment, so it needs the layout to allocate: give exactly one of"
                    + " struct = %s.class or bytes = N (%s)"),
    /** {@code struct} or {@code bytes} on a view allocation. Args: parameter, method, view. */
    ALLOC_PARAMETER_UNUSED("AllocParameter",
            "%s has no meaning for @Alloc method %s, which returns %s and so allocates that struct. Remove it"),
    /** An initialiser parameter that names no component. Args: parameter, record, components, hint. */
    UNKNOWN_INITIALISER("UnknownInitialiser",
            "Parameter %s names no component of %s, whose components are %s.%s Name each parameter after the"
                    + " component it initialises"),
    /** An initialiser parameter of the wrong type. Args: parameter, type, record, component type. */
    MISTYPED_INITIALISER("MistypedInitialiser",
            "Parameter %s has type %s, but component %1$s of %s has type %s. Declare the parameter as %4$s"),
    /** An initialiser the generated code cannot apply. Args: parameter, why. */
    UNSUPPORTED_INITIALISER("UnsupportedInitialiser",
            "Parameter %s cannot initialise the allocation: %s"),
    /** An allocation that can never fit. Args: method, bytes, why. */
    NEVER_FITS("NeverFits",
            "@Alloc method %s allocates %s, which can never fit: %s"),
    /** An allocation whose size overflows a long. Args: method, count, record, size. */
    ALLOC_SIZE_OVERFLOW("AllocSizeOverflow",
            "@Alloc method %s allocates %d x %s of %d bytes, which overflows a long. Reduce count"),
    /** A pool allocation smaller than a block. Args: method, bytes, block size. */
    POOL_SIZE_MISMATCH("PoolSizeMismatch",
            "@Alloc method %s allocates %d bytes from a pool of %d-byte blocks; every call takes a whole block,"
                    + " so the sizes must be equal. Allocate exactly one block's worth, or size the pool's blocks"
                    + " for this allocation (block = Point.class)"),
    /** An {@code @Allocator} class still unresolved after the last round. Args: type, element, unresolved type. */
    ALLOCATOR_UNRESOLVED("UnresolvedType",
            "Did not generate the subclass of %s: %s refers to %s, which could not be resolved. Check its import,"
                    + " and that the @Struct record it belongs to compiles"),
    /** A generated file that could not be written. Args: file, cause. */
    WRITE_FAILED("WriteFailed", "Could not write %s: %s"),
    /** An unexpected failure of the processor itself. Args: type, exception. */
    INTERNAL_ERROR("InternalError",
            "The processor failed on %s with %s. This is a bug in nebula-memory; please report it with this"
                    + " message and the declaration");

    private final String tag;
    private final String format;

    Message(String tag, String format) {
        this.tag = tag;
        this.format = format;
    }

    /**
     * The searchable tag of this message.
     *
     * @return the tag, for example {@code nebula/UnsupportedType}
     */
    public String tag() {
        return "nebula/" + tag;
    }

    /**
     * The full text of this message with the given arguments.
     *
     * @param args the arguments of the message's format
     * @return the text, starting with the bracketed tag
     */
    public String format(Object... args) {
        return "[" + tag() + "] " + String.format(Locale.ROOT, format, args);
    }
}
