package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * What the compiler shows of source files: the imports of a compilation unit and the name of its file. javac shows
 * them through its tree API ({@link TreeSourceFiles}); compilers without it (ECJ) show neither.
 */
interface SourceFiles {
    /**
     * Whether the imports are known at all.
     *
     * @return {@code false} where the compiler does not show them
     */
    boolean known();

    /**
     * Whether the compilation unit of a class imports a type, by a single-type or an on-demand import.
     *
     * @param user the class
     * @param type the type
     * @return whether it is imported; {@code false} when unknown
     */
    boolean imports(TypeElement user, ClassName type);

    /**
     * The name of the file of a top-level class that is not public and not named after its file.
     *
     * @param type a top-level class
     * @return the file name, if the class is such an auxiliary class
     */
    Optional<String> auxiliaryFile(TypeElement type);

    /**
     * The source files the compiler shows.
     *
     * @param environment the processing environment
     * @return javac's, or none
     */
    static SourceFiles forEnvironment(ProcessingEnvironment environment) {
        try {
            return new TreeSourceFiles(environment);
        } catch (IllegalArgumentException | LinkageError noTreeApi) {
            return new SourceFiles() {
                @Override
                public boolean known() {
                    return false;
                }

                @Override
                public boolean imports(TypeElement user, ClassName type) {
                    return false;
                }

                @Override
                public Optional<String> auxiliaryFile(TypeElement type) {
                    return Optional.empty();
                }
            };
        }
    }
}
