package io.nebula.memory;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures the leak warnings that allocators closed under {@link LeakPolicy#WARN} (the default) log through
 * {@link System.Logger} {@code io.nebula.memory}, for tests that close allocators with live allocations on purpose:
 * the warnings are kept from the build's output and checked instead. After each test, every record captured must be
 * a leak report at {@code WARNING}; a test that wants the reports declares a {@link Captured} parameter.
 *
 * <p>The test JVM backs {@code System.Logger} with {@code java.util.logging} (surefire adds the module). Test code in
 * an API package, so that JUnit can instantiate it: it names JUnit's types, which the module does not export.
 */
@SuppressWarnings("exports")
public final class LeakWarnings implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final String LOGGER = "io.nebula.memory";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakWarnings.class);

    /** Created by JUnit for each class that registers it with {@code @ExtendWith}. */
    public LeakWarnings() {
    }

    /** The leak reports logged during one test. */
    public static final class Captured {

        private final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger(LOGGER);
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        private Captured() {
        }

        /**
         * Returns the messages logged so far, oldest first.
         *
         * @return the messages
         */
        public List<String> messages() {
            return records.stream().map(LogRecord::getMessage).toList();
        }

        private void start() {
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
        }

        private void stop() {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(true);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Captured captured = new Captured();
        context.getStore(NAMESPACE).put(Captured.class, captured);
        captured.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Captured captured = context.getStore(NAMESPACE).remove(Captured.class, Captured.class);
        captured.stop();
        for (LogRecord record : captured.records) {
            assertEquals(Level.WARNING, record.getLevel(), record.getMessage());
            assertTrue(record.getMessage().contains(" closed with "), "not a leak report: " + record.getMessage());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Captured.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(Captured.class, Captured.class);
    }
}
