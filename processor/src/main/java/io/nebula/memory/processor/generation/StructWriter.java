package io.nebula.memory.processor.generation;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.nebula.memory.annotation.Endianness;
import io.nebula.memory.processor.model.Field;
import io.nebula.memory.processor.model.FieldType;
import io.nebula.memory.processor.model.Member;
import io.nebula.memory.processor.model.Names;
import io.nebula.memory.processor.model.Primitive;
import io.nebula.memory.processor.model.StructModel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Generates the struct class of a {@link StructModel}: the layout constant, sizes and offsets, static accessors
 * on {@code (MemorySegment, long offset)}, record conversion, allocation and the flyweight {@code View}.
 *
 * <p>A primitive field is read and written in its static accessors only, as {@code segment.get(layout, offset +
 * CONSTANT)} or {@code segment.set(...)} with a {@code ValueLayout} constant, which C2 compiles to a plain load or
 * store after the segment's bounds check; no {@code VarHandle} is derived from the struct layout. The view's
 * accessors, {@code read} and {@code write} call the static accessors, which C2 inlines: the same loads and stores,
 * and for javac one method of one name to resolve per call instead of the overloads of {@code MemorySegment.get}
 * and {@code set}.
 */
public final class StructWriter {
    private static final String PACKAGE = "java.lang.foreign";
    private static final ClassName MEMORY_SEGMENT = ClassName.get(PACKAGE, "MemorySegment");
    private static final ClassName MEMORY_LAYOUT = ClassName.get(PACKAGE, "MemoryLayout");
    private static final ClassName SEGMENT_ALLOCATOR = ClassName.get(PACKAGE, "SegmentAllocator");
    private static final ClassName STRUCT_LAYOUT = ClassName.get(PACKAGE, "StructLayout");
    private static final ClassName VALUE_LAYOUT = ClassName.get(PACKAGE, "ValueLayout");
    private static final ClassName BYTE_ORDER = ClassName.get("java.nio", "ByteOrder");
    private static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
    /** The most bytes a generated struct zeroes with constant-offset stores rather than {@code fill}. */
    private static final long ZERO_BY_STORES = 64;

    private static final ParameterSpec SEGMENT_PARAMETER = ParameterSpec.builder(MEMORY_SEGMENT, "segment").build();
    private static final ParameterSpec OFFSET_PARAMETER = ParameterSpec.builder(TypeName.LONG, "offset").build();

    /**
     * What every member shares, said once in the class javadoc: every parameter that more than one member takes and
     * what the view's methods return. The members' docs say only what differs, in one sentence, without
     * {@code @param} and {@code @return} lines (see {@link DoclintSuppression}).
     */
    private static final String ACCESS_DOC = """
            <p>Two layers read and write single fields, and allocate nothing. The static methods take the
            {@code segment} holding a struct and the struct's {@code offset} in it, in bytes: {@code get<Field>}
            and {@code set<Field>} per primitive field, and {@code offsetOf<Field>(index)}, an element's offset
            in the struct, per array field. A {@link View}, a flyweight that a loop moves from struct to struct,
            has a getter and a setter named as each field; its setters, {@code set} and {@code moveTo} methods
            return the view itself. The accessors of an array field take the element {@code index}, from 0 to its
            length - 1, and check it before any access; beyond that they check no more than the segment does: an
            access outside it throws {@link IndexOutOfBoundsException}. A setter's {@code value} is the field's
            new value; the {@code value} of {@code write}, {@code allocate} and the view's {@code set} is a record
            whose every field is written. {@code allocate} and {@code allocateArray} take any {@code allocator}:
            an arena, a slicing allocator, a pool. Only the view of an element of an array of structs is a new
            object.
            """;

    private static final CodeBlock VALUE = CodeBlock.of("value");

    private final GeneratedAnnotation generated;
    private final DoclintSuppression doclint;

    /**
     * Creates a writer.
     *
     * @param generated the {@code @Generated} annotation of generated types
     * @param doclint the suppression of doclint's {@code missing} group, under javac
     */
    public StructWriter(GeneratedAnnotation generated, DoclintSuppression doclint) {
        this.generated = generated;
        this.doclint = doclint;
    }

    /**
     * Generates the source file for a struct.
     *
     * @param model the validated struct
     * @return the file, with the record as its only originating element
     */
    public JavaFile write(StructModel model) {
        return JavaFile.builder(model.generatedType().packageName(), new Generation(model).type())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /** The generation of one struct class. */
    private final class Generation {
        private final StructModel model;
        private final ClassName self;
        private final ClassName view;
        private final String record;
        /** The struct's fields, in order: computed once, as every part of the class iterates them. */
        private final List<Field> fields;
        /** {@code static}, with {@code public} for a public struct: the modifiers of every static method. */
        private final Modifier[] staticMethod;

        Generation(StructModel model) {
            this.model = model;
            this.self = model.generatedType();
            this.view = self.nestedClass("View");
            this.record = model.recordType().simpleName();
            this.fields = model.fields();
            this.staticMethod = modifiers(Modifier.STATIC);
        }

        TypeSpec type() {
            TypeSpec.Builder type = TypeSpec.classBuilder(self)
                    .addOriginatingElement(model.element())
                    .addModifiers(modifiers(Modifier.FINAL))
                    .addJavadoc(classJavadoc());
            type.alwaysQualify(model.qualifiedNames().toArray(String[]::new));
            generated.addTo(type);
            doclint.addTo(type);
            byteOrderConstants(type);
            constants(type);
            type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
            for (Field field : fields) {
                staticAccessors(type, field);
            }
            conversions(type);
            allocation(type);
            type.addType(viewType());
            return type.build();
        }

        private Modifier[] modifiers(Modifier... more) {
            List<Modifier> modifiers = new ArrayList<>();
            if (model.isPublic()) {
                modifiers.add(Modifier.PUBLIC);
            }
            modifiers.addAll(List.of(more));
            return modifiers.toArray(Modifier[]::new);
        }

        private CodeBlock classJavadoc() {
            CodeBlock.Builder doc = CodeBlock.builder()
                    .add("The native layout of {@link $T} and typed access to it.\n\n", model.recordType())
                    .add("<pre>\n  offset    size  member\n");
            for (Member member : model.members()) {
                String what = switch (member) {
                    case Field field -> field.name() + ": " + typeText(field);
                    case Member.Padding padding -> padding.name() + " (padding)";
                };
                doc.add("$L$L  $L\n", padded(member.offset()), padded(member.size()), what);
            }
            doc.add("</pre>\n$L bytes, aligned to $L$L$L.\n\n", model.size(), model.alignment(),
                    model.packed() ? ", packed" : "",
                    model.byteOrder() == Endianness.NATIVE ? "" : ", " + orderText());
            doc.add(ACCESS_DOC);
            return doc.build();
        }

        /** A number right-aligned in 8 characters, a column of the class javadoc's table. */
        private static String padded(long number) {
            String text = Long.toString(number);
            return " ".repeat(Math.max(0, 8 - text.length())) + text;
        }

        private String typeText(Field field) {
            return field.type() + (field.isArray() ? "[" + field.length() + "]" : "");
        }

        private String orderText() {
            return model.byteOrder() == Endianness.BIG_ENDIAN ? "big-endian" : "little-endian";
        }

        // ---------------------------------------------------------------------------------------------- constants

        private void byteOrderConstants(TypeSpec.Builder type) {
            if (model.byteOrder() == Endianness.NATIVE) {
                return;
            }
            Set<Primitive> used = EnumSet.noneOf(Primitive.class);
            for (Field field : fields) {
                if (field.type() instanceof FieldType.OfPrimitive(Primitive primitive) && primitive.hasByteOrder()) {
                    used.add(primitive);
                }
            }
            for (Primitive primitive : used) {
                type.addField(FieldSpec.builder(VALUE_LAYOUT.nestedClass(primitive.layoutClass()), primitive.name(),
                                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$T.$L.withOrder($T.$L)", VALUE_LAYOUT, primitive.layoutConstant(model.packed()),
                                BYTE_ORDER, model.byteOrder().name())
                        .build());
            }
        }

        private CodeBlock valueLayout(Primitive primitive) {
            if (model.byteOrder() != Endianness.NATIVE && primitive.hasByteOrder()) {
                return CodeBlock.of("$L", primitive.name());
            }
            return CodeBlock.of("$T.$L", VALUE_LAYOUT, primitive.layoutConstant(model.packed()));
        }

        private CodeBlock elementLayout(FieldType type) {
            return switch (type) {
                case FieldType.OfPrimitive(Primitive primitive) -> valueLayout(primitive);
                case FieldType.OfStruct(StructModel struct) -> CodeBlock.of("$T.LAYOUT", struct.generatedType());
            };
        }

        private void constants(TypeSpec.Builder type) {
            List<CodeBlock> members = new ArrayList<>();
            for (Member member : model.members()) {
                members.add(switch (member) {
                    case Field field when field.isArray() -> CodeBlock.of("$T.sequenceLayout($L, $L).withName($S)",
                            MEMORY_LAYOUT, field.length(), elementLayout(field.type()), field.name());
                    case Field field -> CodeBlock.of("$L.withName($S)", elementLayout(field.type()), field.name());
                    case Member.Padding padding -> CodeBlock.of("$T.paddingLayout($L).withName($S)", MEMORY_LAYOUT,
                            padding.size(), padding.name());
                });
            }
            CodeBlock.Builder layout = CodeBlock.builder().add("$T.structLayout(\n$>$>", MEMORY_LAYOUT)
                    .add(CodeBlock.join(members, ",\n")).add(")$<$<");
            if (model.alignment() != model.naturalAlignment()) {
                layout.add("\n$>$>.withByteAlignment($L)$<$<", model.alignment());
            }
            Modifier[] constant = modifiers(Modifier.STATIC, Modifier.FINAL);
            type.addField(FieldSpec.builder(STRUCT_LAYOUT, "LAYOUT", constant)
                    .addJavadoc("The layout, with every field and padding named.\n")
                    .initializer(layout.build()).build());
            type.addField(FieldSpec.builder(TypeName.LONG, "SIZE", constant)
                    .addJavadoc("The size in bytes, padding included.\n")
                    .initializer("$LL", model.size()).build());
            type.addField(FieldSpec.builder(TypeName.LONG, "ALIGNMENT", constant)
                    .addJavadoc("The alignment in bytes.\n")
                    .initializer("$LL", model.alignment()).build());
            for (Field field : fields) {
                type.addField(FieldSpec.builder(TypeName.LONG, Names.offsetConstant(field.name()), constant)
                        .addJavadoc("The offset of {@code $L} in bytes.\n", field.name())
                        .initializer("$LL", field.offset()).build());
            }
            for (Field field : fields) {
                if (field.isArray()) {
                    type.addField(FieldSpec.builder(TypeName.INT, Names.lengthConstant(field.name()), constant)
                            .addJavadoc("The number of elements of {@code $L}.\n", field.name())
                            .initializer("$L", field.length()).build());
                }
            }
        }

        // ------------------------------------------------------------------------------------------------ access

        /**
         * The offset, from the struct's, of element {@code index} of an array field after checking the index:
         * {@code OFFSET_TAG + Objects.checkIndex(index, LENGTH_TAG) * 2L}.
         */
        private CodeBlock checkedElementOffset(Field field, String index) {
            return CodeBlock.of("$L + $T.checkIndex($L, $L)$L", Names.offsetConstant(field.name()), OBJECTS, index,
                    Names.lengthConstant(field.name()), timesElementSize(field));
        }

        /** The offset of element {@code i} of an array field, {@code i} a loop index known to be in range. */
        private CodeBlock elementOffset(Field field, String index) {
            return CodeBlock.of("$L + $L$L", Names.offsetConstant(field.name()), index, timesElementSize(field));
        }

        private CodeBlock timesElementSize(Field field) {
            return switch (field.type()) {
                case FieldType.OfStruct(StructModel struct) -> CodeBlock.of(" * $T.SIZE", struct.generatedType());
                case FieldType.OfPrimitive p when field.type().size() == 1 -> CodeBlock.of("");
                case FieldType.OfPrimitive p -> CodeBlock.of(" * $LL", field.type().size());
            };
        }

        /**
         * The static accessors of a field: {@code offsetOfTag(index)} for an array field, {@code getX} and
         * {@code setX} on {@code (segment, offset[, index])} for a primitive field. A nested struct's fields are
         * accessed through its own class, at {@code offset + OFFSET_POSITION}.
         */
        private void staticAccessors(TypeSpec.Builder type, Field field) {
            String name = field.name();
            if (field.isArray()) {
                type.addMethod(MethodSpec.methodBuilder(Names.elementOffset(name))
                        .addModifiers(staticMethod)
                        .addJavadoc("{@return the offset of element {@code index} of {@code $L} in the struct}\n",
                                name)
                        .returns(TypeName.LONG)
                        .addParameter(TypeName.LONG, "index")
                        .addStatement("return $L", checkedElementOffset(field, "index"))
                        .build());
            }
            if (!(field.type() instanceof FieldType.OfPrimitive(Primitive primitive))) {
                return;
            }
            MethodSpec.Builder getter = MethodSpec.methodBuilder(Names.getter(name))
                    .addModifiers(staticMethod)
                    .returns(carrier(primitive))
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER);
            MethodSpec.Builder setter = MethodSpec.methodBuilder(Names.setter(name))
                    .addModifiers(staticMethod)
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER);
            CodeBlock at;
            CodeBlock where = CodeBlock.of("{@code $L} at offset $L", typeText(field), field.offset());
            if (field.isArray()) {
                getter.addJavadoc("{@return element {@code index} of {@code $L}, $L}\n", name, where)
                        .addParameter(TypeName.LONG, "index");
                setter.addJavadoc("Writes element {@code index} of {@code $L}, $L.\n", name, where)
                        .addParameter(TypeName.LONG, "index");
                at = checkedElementOffset(field, "index");
            } else {
                getter.addJavadoc("{@return {@code $L}, $L}\n", name, where);
                setter.addJavadoc("Writes {@code $L}, $L.\n", name, where);
                at = offsetConstant(field);
            }
            type.addMethod(getter.addStatement("return $L", get(primitive, at)).build());
            type.addMethod(setter.addParameter(carrier(primitive), "value")
                    .addStatement(set(primitive, at, VALUE))
                    .build());
        }

        /** {@code segment.get(INT, offset + OFFSET_X)}: the read of a scalar primitive field. */
        private CodeBlock get(Primitive primitive, CodeBlock at) {
            return CodeBlock.of("segment.get($L, offset + $L)", valueLayout(primitive), at);
        }

        /** {@code segment.set(INT, offset + OFFSET_X, value)}: the write of a scalar primitive field. */
        private CodeBlock set(Primitive primitive, CodeBlock at, CodeBlock value) {
            return CodeBlock.of("segment.set($L, offset + $L, $L)", valueLayout(primitive), at, value);
        }

        private TypeName carrier(Primitive primitive) {
            return switch (primitive) {
                case BYTE -> TypeName.BYTE;
                case SHORT -> TypeName.SHORT;
                case CHAR -> TypeName.CHAR;
                case INT -> TypeName.INT;
                case LONG -> TypeName.LONG;
                case FLOAT -> TypeName.FLOAT;
                case DOUBLE -> TypeName.DOUBLE;
                case BOOLEAN -> TypeName.BOOLEAN;
            };
        }

        private TypeName javaType(FieldType type) {
            return switch (type) {
                case FieldType.OfPrimitive(Primitive primitive) -> carrier(primitive);
                case FieldType.OfStruct(StructModel struct) -> struct.recordType();
            };
        }

        private TypeName javaType(Field field) {
            TypeName element = javaType(field.type());
            return field.isArray() ? ArrayTypeName.of(element) : element;
        }

        // ------------------------------------------------------------------------------------------ conversion

        private void conversions(TypeSpec.Builder type) {
            List<CodeBlock> arguments = new ArrayList<>();
            for (Field field : fields) {
                arguments.add(readExpression(field));
                if (field.isArray() && !copiedInBulk(field)) {
                    type.addMethod(arrayReader(field));
                    type.addMethod(arrayWriter(field));
                }
            }
            type.addMethod(MethodSpec.methodBuilder("read")
                    .addModifiers(staticMethod)
                    .addJavadoc("{@return a new {@link $T} of the struct's values, with new arrays}\n",
                            model.recordType())
                    .returns(model.recordType())
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("return new $T(\n$L)", model.recordType(), CodeBlock.join(arguments, ",\n"))
                    .build());

            MethodSpec.Builder write = MethodSpec.methodBuilder("write")
                    .addModifiers(staticMethod)
                    .addJavadoc("Writes every field of {@code value}; padding is left as it is.\n")
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addParameter(model.recordType(), "value");
            boolean hasArrays = fields.stream().anyMatch(Field::isArray);
            if (hasArrays) {
                write.addJavadoc("@throws IllegalArgumentException if an array's length is not its field's;"
                        + " nothing is written then\n");
                for (Field field : fields) {
                    if (field.isArray()) {
                        write.addStatement("checkLength($S, value.$L().length, $L)", field.name(), field.name(),
                                Names.lengthConstant(field.name()));
                    }
                }
            }
            for (Field field : fields) {
                write.addStatement(writeStatement(field));
            }
            type.addMethod(write.build());
            if (hasArrays) {
                type.addMethod(MethodSpec.methodBuilder("checkLength")
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .addParameter(String.class, "field")
                        .addParameter(TypeName.INT, "actual")
                        .addParameter(TypeName.INT, "expected")
                        .beginControlFlow("if (actual != expected)")
                        .addStatement("throw new $T($S + field + $S + actual + $S + expected + $S)",
                                IllegalArgumentException.class, record + ".", " has ", " elements, but the struct"
                                        + " holds exactly ", "; pass an array of that length")
                        .endControlFlow()
                        .build());
            }
        }

        /**
         * Whether {@code read} and {@code write} copy an array field in one {@code MemorySegment} bulk copy: a
         * primitive array but {@code boolean[]}, for which the FFM API has no bulk copy.
         */
        private boolean copiedInBulk(Field field) {
            return field.isArray() && field.type() instanceof FieldType.OfPrimitive(Primitive primitive)
                    && primitive != Primitive.BOOLEAN;
        }

        private CodeBlock readExpression(Field field) {
            if (copiedInBulk(field) && field.type() instanceof FieldType.OfPrimitive(Primitive primitive)) {
                return CodeBlock.of("segment.asSlice(offset + $L, $L$L).toArray($L)",
                        Names.offsetConstant(field.name()), Names.lengthConstant(field.name()),
                        timesElementSize(field), valueLayout(primitive));
            }
            if (field.isArray()) {
                return CodeBlock.of("read$L(segment, offset)", Names.capitalize(field.name()));
            }
            return switch (field.type()) {
                case FieldType.OfPrimitive p -> CodeBlock.of("$L(segment, offset)", Names.getter(field.name()));
                case FieldType.OfStruct(StructModel struct) -> CodeBlock.of("$T.read(segment, offset + $L)",
                        struct.generatedType(), Names.offsetConstant(field.name()));
            };
        }

        private CodeBlock writeStatement(Field field) {
            if (copiedInBulk(field) && field.type() instanceof FieldType.OfPrimitive(Primitive primitive)) {
                return CodeBlock.of("$T.copy(value.$L(), 0, segment, $L, offset + $L, $L)", MEMORY_SEGMENT,
                        field.name(), valueLayout(primitive), Names.offsetConstant(field.name()),
                        Names.lengthConstant(field.name()));
            }
            if (field.isArray()) {
                return CodeBlock.of("write$L(segment, offset, value.$L())", Names.capitalize(field.name()),
                        field.name());
            }
            return switch (field.type()) {
                case FieldType.OfPrimitive p -> CodeBlock.of("$L(segment, offset, value.$L())",
                        Names.setter(field.name()), field.name());
                case FieldType.OfStruct(StructModel struct) -> CodeBlock.of("$T.write(segment, offset + $L, value.$L())",
                        struct.generatedType(), Names.offsetConstant(field.name()), field.name());
            };
        }

        private CodeBlock offsetConstant(Field field) {
            return CodeBlock.of("$L", Names.offsetConstant(field.name()));
        }

        /** The reader of an array field that is not copied in bulk: {@code boolean[]} or an array of structs. */
        private MethodSpec arrayReader(Field field) {
            String length = Names.lengthConstant(field.name());
            TypeName element = javaType(field.type());
            MethodSpec.Builder method = MethodSpec.methodBuilder("read" + Names.capitalize(field.name()))
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .returns(javaType(field))
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("$T values = new $T[$L]", javaType(field), element, length);
            switch (field.type()) {
                case FieldType.OfPrimitive(Primitive primitive) -> method
                        .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                        .addStatement("values[i] = $L", get(primitive, elementOffset(field, "i")))
                        .endControlFlow();
                case FieldType.OfStruct(StructModel struct) -> method
                        .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                        .addStatement("values[i] = $T.read(segment, offset + $L)", struct.generatedType(),
                                elementOffset(field, "i"))
                        .endControlFlow();
            }
            return method.addStatement("return values").build();
        }

        /** The writer of an array field that is not copied in bulk. */
        private MethodSpec arrayWriter(Field field) {
            String length = Names.lengthConstant(field.name());
            MethodSpec.Builder method = MethodSpec.methodBuilder("write" + Names.capitalize(field.name()))
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addParameter(javaType(field), "values");
            switch (field.type()) {
                case FieldType.OfPrimitive(Primitive primitive) -> method
                        .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                        .addStatement(set(primitive, elementOffset(field, "i"), CodeBlock.of("values[i]")))
                        .endControlFlow();
                case FieldType.OfStruct(StructModel struct) -> method
                        .beginControlFlow("for (int i = 0; i < $L; i++)", length)
                        .addStatement("$T.write(segment, offset + $L, values[i])", struct.generatedType(),
                                elementOffset(field, "i"))
                        .endControlFlow();
            }
            return method.build();
        }

        // ------------------------------------------------------------------------------------------ allocation

        private void allocation(TypeSpec.Builder type) {
            ParameterSpec allocator = ParameterSpec.builder(SEGMENT_ALLOCATOR, "allocator").build();
            type.addMethod(MethodSpec.methodBuilder("allocate")
                    .addModifiers(staticMethod)
                    .addJavadoc("{@return a view of a new struct, zeroed, padding included, whatever the"
                            + " allocator does}\n")
                    .returns(view)
                    .addParameter(allocator)
                    .addStatement("$T segment = allocator.allocate(SIZE, ALIGNMENT)", MEMORY_SEGMENT)
                    .addCode(zero(0, model.size()))
                    .addStatement("return new View(segment, 0L)")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("allocate")
                    .addModifiers(staticMethod)
                    .addJavadoc(flat()
                            ? "{@return a view of a new struct holding {@code value}, padding zeroed: each byte"
                                    + " written once}\n"
                            : "{@return a view of a new struct, zeroed (nested structs' padding included), then"
                                    + " holding {@code value}}\n")

                    .returns(view)
                    .addParameter(allocator)
                    .addParameter(model.recordType(), "value")
                    .addCode(initialise())
                    .build());
            type.addMethod(MethodSpec.methodBuilder("allocateArray")
                    .addModifiers(staticMethod)
                    .addJavadoc("{@return a segment of {@code count} zeroed structs, element {@code i} at offset"
                            + " {@code i * SIZE}}\nOne view visits them all through {@link"
                            + " View#moveToElement(long)}.\n")

                    .addJavadoc("@throws IllegalArgumentException if {@code count} is negative or the size"
                            + " overflows; the library's\n    allocators throw {@code AllocationException}"
                            + " ({@code INVALID_SIZE}) instead\n")
                    .returns(MEMORY_SEGMENT)
                    .addParameter(allocator)
                    .addParameter(TypeName.LONG, "count")
                    .addStatement("$T segment = allocator.allocate(LAYOUT, count)", MEMORY_SEGMENT)
                    .addStatement("segment.fill((byte) 0)")
                    .addStatement("return segment")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("view")
                    .addModifiers(staticMethod)
                    .addJavadoc("{@return a new view of the struct at offset 0}\n")
                    .returns(view)
                    .addParameter(SEGMENT_PARAMETER)
                    .addStatement("return new View(segment, 0L)")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("view")
                    .addModifiers(staticMethod)
                    .addJavadoc("{@return a new view of the struct at {@code offset}}\n")
                    .returns(view)
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("return new View(segment, offset)")
                    .build());
        }

        /**
         * Whether every byte of the struct that is not padding belongs to a primitive field, so that
         * {@code write} plus zeroed padding writes each byte once. A nested struct's padding is not written by
         * {@code write}, so a struct with nested structs is zeroed in full first.
         */
        private boolean flat() {
            return fields.stream().allMatch(field -> field.type() instanceof FieldType.OfPrimitive);
        }

        /** The body of {@code allocate(allocator, value)}: each field written once, padding zeroed. */
        private CodeBlock initialise() {
            CodeBlock.Builder code = CodeBlock.builder()
                    .addStatement("$T segment = allocator.allocate(SIZE, ALIGNMENT)", MEMORY_SEGMENT);
            if (flat()) {
                for (Member member : model.members()) {
                    if (member instanceof Member.Padding padding) {
                        code.add(zero(padding.offset(), padding.size()));
                    }
                }
            } else {
                code.add(zero(0, model.size()));
            }
            return code.addStatement("write(segment, 0L, value)")
                    .addStatement("return new View(segment, 0L)")
                    .build();
        }

        /**
         * Zeroes {@code length} bytes of {@code segment} from {@code from}: up to {@value #ZERO_BY_STORES} bytes as
         * plain stores with constant offsets (what C2 compiles to a few moves), more through {@code fill}, whose
         * call costs more than the stores below that size.
         */
        private CodeBlock zero(long from, long length) {
            CodeBlock.Builder code = CodeBlock.builder();
            if (length > ZERO_BY_STORES) {
                if (from == 0 && length == model.size()) {
                    return code.addStatement("segment.fill((byte) 0)").build();
                }
                return code.addStatement("segment.asSlice($LL, $LL).fill((byte) 0)", from, length).build();
            }
            long at = from;
            long end = from + length;
            while (at < end) {
                long left = end - at;
                if (left >= 8) {
                    code.addStatement("segment.set($T.JAVA_LONG_UNALIGNED, $LL, 0L)", VALUE_LAYOUT, at);
                    at += 8;
                } else if (left >= 4) {
                    code.addStatement("segment.set($T.JAVA_INT_UNALIGNED, $LL, 0)", VALUE_LAYOUT, at);
                    at += 4;
                } else if (left >= 2) {
                    code.addStatement("segment.set($T.JAVA_SHORT_UNALIGNED, $LL, (short) 0)", VALUE_LAYOUT, at);
                    at += 2;
                } else {
                    code.addStatement("segment.set($T.JAVA_BYTE, $LL, (byte) 0)", VALUE_LAYOUT, at);
                    at += 1;
                }
            }
            return code.build();
        }

        // ------------------------------------------------------------------------------------------------ view

        private TypeSpec viewType() {
            TypeSpec.Builder type = TypeSpec.classBuilder(view)
                    .addModifiers(modifiers(Modifier.STATIC, Modifier.FINAL))
                    .addJavadoc("A flyweight view of one {@link $T} struct in a segment, allocating nothing. A view"
                            + " can be moved\nto another offset, so that one view visits every element of an array"
                            + " of structs. Views are not\nthread-safe; the segment decides which threads may"
                            + " access the memory.\n", model.recordType())
                    .addField(MEMORY_SEGMENT, "segment", Modifier.PRIVATE, Modifier.FINAL)
                    .addField(TypeName.LONG, "offset", Modifier.PRIVATE);
            MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
                    .addModifiers(Modifier.PRIVATE)
                    .addParameter(SEGMENT_PARAMETER)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("$T.checkFromIndexSize(offset, SIZE, segment.byteSize())", OBJECTS)
                    .addStatement("this.segment = segment")
                    .addStatement("this.offset = offset");
            MethodSpec.Builder moveTo = MethodSpec.methodBuilder("moveTo")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Moves this view, and its nested structs' views, to the struct at {@code offset};"
                            + " it is not\nmoved if the struct lies outside the segment.\n")
                    .returns(view)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("$T.checkFromIndexSize(offset, SIZE, segment.byteSize())", OBJECTS)
                    .addStatement("return at(offset)");
            MethodSpec.Builder at = MethodSpec.methodBuilder("at")
                    .addModifiers(Modifier.PRIVATE)
                    .returns(view)
                    .addParameter(OFFSET_PARAMETER)
                    .addStatement("this.offset = offset");
            for (Field field : fields) {
                if (!field.isArray() && field.type() instanceof FieldType.OfStruct(StructModel struct)) {
                    ClassName nestedView = struct.generatedType().nestedClass("View");
                    type.addField(nestedView, field.name(), Modifier.PRIVATE, Modifier.FINAL);
                    constructor.addStatement("this.$L = $T.view(segment, offset + $L)", field.name(),
                            struct.generatedType(), Names.offsetConstant(field.name()));
                    at.addStatement("$L.moveTo(offset + $L)", field.name(), Names.offsetConstant(field.name()));
                }
            }
            type.addMethod(constructor.build());
            type.addMethod(MethodSpec.methodBuilder("segment")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("{@return the segment this view reads and writes}\n")
                    .returns(MEMORY_SEGMENT)
                    .addStatement("return segment")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("offset")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("{@return the offset of the struct in the segment, in bytes}\n")
                    .returns(TypeName.LONG)
                    .addStatement("return offset")
                    .build());
            type.addMethod(moveTo.build());
            type.addMethod(MethodSpec.methodBuilder("moveToElement")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Moves this view to element {@code index} of an array of structs at offset 0, as"
                            + " allocated by\n{@link $T#allocateArray}; it is not moved if the element lies outside"
                            + " the segment.\n", self)
                    .returns(view)
                    .addParameter(TypeName.LONG, "index")
                    .addStatement("$T.checkIndex(index, segment.byteSize() / SIZE)", OBJECTS)
                    .addStatement("return at(index * SIZE)")
                    .build());
            type.addMethod(at.addStatement("return this").build());
            for (Field field : fields) {
                viewAccessors(type, field);
            }
            type.addMethod(MethodSpec.methodBuilder("toRecord")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("{@return a new {@link $T} of the struct's values}\n", model.recordType())
                    .returns(model.recordType())
                    .addStatement("return read(segment, offset)")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("set")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Writes every field of {@code value}.\n")
                    .returns(view)
                    .addParameter(model.recordType(), "value")
                    .addStatement("write(segment, offset, value)")
                    .addStatement("return this")
                    .build());
            return type.build();
        }

        private void viewAccessors(TypeSpec.Builder type, Field field) {
            String name = field.name();
            Optional<ClassName> nested = field.type() instanceof FieldType.OfStruct(StructModel struct)
                    ? Optional.of(struct.generatedType()) : Optional.empty();
            MethodSpec.Builder getter = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC);
            MethodSpec.Builder setter = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(view);
            TypeName element = javaType(field.type());
            if (field.isArray()) {
                getter.addParameter(TypeName.LONG, "index");
                setter.addParameter(TypeName.LONG, "index");
                if (nested.isPresent()) {
                    CodeBlock at = checkedElementOffset(field, "index");
                    getter.addJavadoc("{@return a new view of element {@code index} of {@code $L}}\n", name)
                            .returns(nested.get().nestedClass("View"))
                            .addStatement("return $T.view(segment, offset + $L)", nested.get(), at);
                    setter.addStatement("$T.write(segment, offset + $L, value)", nested.get(), at);
                } else {
                    getter.addJavadoc("{@return element {@code index} of {@code $L}}\n", name)
                            .returns(element)
                            .addStatement("return $T.$L(segment, offset, index)", self, Names.getter(name));
                    setter.addStatement("$T.$L(segment, offset, index, value)", self, Names.setter(name));
                }
                setter.addJavadoc("{@return this view, after writing {@code value} to element {@code index} of"
                        + " {@code $L}}\n", name);
            } else if (nested.isPresent()) {
                getter.addJavadoc("{@return the view of the nested struct {@code $L}, which moves with this"
                                + " view}\n", name)
                        .returns(nested.get().nestedClass("View"))
                        .addStatement("return $L", name);
                setter.addJavadoc("{@return this view, after writing every field of {@code value} to the nested"
                                + " struct {@code $L}}\n", name)
                        .addStatement("$T.write(segment, offset + $L, value)", nested.get(),
                                Names.offsetConstant(name));
            } else {
                getter.addJavadoc("{@return {@code $L}}\n", name)
                        .returns(element)
                        .addStatement("return $T.$L(segment, offset)", self, Names.getter(name));
                setter.addJavadoc("{@return this view, after writing {@code value} to {@code $L}}\n", name)
                        .addStatement("$T.$L(segment, offset, value)", self, Names.setter(name));
            }
            setter.addParameter(element, "value")
                    .addStatement("return this");
            type.addMethod(getter.build());
            type.addMethod(setter.build());
        }
    }
}
