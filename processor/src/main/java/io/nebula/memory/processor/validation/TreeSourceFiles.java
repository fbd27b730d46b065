package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ImportTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;

/** javac's source files, through its tree API: the import declarations and the file of a compilation unit. */
final class TreeSourceFiles implements SourceFiles {
    private final Trees trees;

    /**
     * Reads the trees of javac's environment.
     *
     * @throws IllegalArgumentException when the environment is not javac's
     */
    TreeSourceFiles(ProcessingEnvironment environment) {
        this.trees = Trees.instance(environment);
    }

    @Override
    public boolean known() {
        return true;
    }

    @Override
    public boolean imports(TypeElement user, ClassName type) {
        TreePath path = trees.getPath(user);
        if (path == null) {
            return false;
        }
        for (ImportTree declaration : path.getCompilationUnit().getImports()) {
            if (declaration.isStatic()) {
                continue;
            }
            String imported = declaration.getQualifiedIdentifier().toString();
            if (imported.equals(type.canonicalName()) || imported.equals(type.packageName() + ".*")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<String> auxiliaryFile(TypeElement type) {
        if (type.getModifiers().contains(Modifier.PUBLIC)) {
            return Optional.empty();
        }
        TreePath path = trees.getPath(type);
        if (path == null) {
            return Optional.empty();
        }
        JavaFileObject file = path.getCompilationUnit().getSourceFile();
        if (file.isNameCompatible(type.getSimpleName().toString(), JavaFileObject.Kind.SOURCE)) {
            return Optional.empty();
        }
        String uri = file.toUri().getPath();
        return Optional.of(uri == null ? file.getName() : uri.substring(uri.lastIndexOf('/') + 1));
    }
}
