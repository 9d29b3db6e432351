package dev.vessel.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The command's and its nodes' logging, set up in code (found by Logback through {@code ServiceLoader}) rather
 * than from a {@code logback.xml}: parsing XML took about 60 ms of a verb that should answer in 300. One line per
 * event on stderr; the root level is {@code VESSEL_LOG_LEVEL} (default WARN). A {@code logback-test.xml} on the
 * class path or {@code -Dlogback.configurationFile} still wins.
 */
public final class CliLogging extends ContextAwareBase implements Configurator {
    /**
     * Loggers quieter than the root, and why. ZooKeeper's quorum code warns on every ordinary reconfiguration
     * (elections restarted, peer connections replaced, DIGEST-MD5 in use, a one-voter start); what changed and why
     * is in the quorum manager's lines and {@code vessel quorum status}. {@code ServerCnxnFactory} warns that
     * maxCnxns is unset (unlimited is what one machine wants); {@code ClientX509Util} warns on every TLS session
     * that it has no key store (Vessel's sessions say who they are with their digest identity); the TLS client
     * socket logs a stack trace at ERROR whenever a server closes its connection, which members do on every
     * election.
     */
    private static final Map<String, Level> LEVELS = Map.of(
            "org.apache.zookeeper", Level.WARN,
            "org.apache.curator", Level.WARN,
            "org.eclipse.jetty", Level.WARN,
            "org.apache.zookeeper.server.ServerCnxnFactory", Level.ERROR,
            "org.apache.zookeeper.common.ClientX509Util", Level.ERROR,
            "org.apache.zookeeper.server.quorum", Level.ERROR,
            "org.apache.zookeeper.ClientCnxnSocketNetty", Level.OFF,
            // membership changes are rare and an operator wants each in the node's log
            "dev.vessel.host.internal.quorum", Level.INFO);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || CliLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = encoder(context, "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getenv("VESSEL_LOG_LEVEL")));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Sends ZooKeeper's and Curator's own messages to {@code file} instead of the console, for the commands that
     * run ZooKeeper servers: a forming or changing quorum logs elections, refused connections and closed sessions at
     * WARN and ERROR with stack traces, all of it expected, none of it for the person at the console (issue 27).
     * Vessel's own lines about the quorum stay on the console.
     */
    public static void zooKeeperToFile(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            context.getLogger(CliLogging.class).warn("ZooKeeper's messages stay on the console: cannot create {}: {}",
                    file.getParent(), e.toString());
            return;
        }
        PatternLayoutEncoder encoder = encoder(context,
                "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n");
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("ZOOKEEPER-FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        for (String name : List.of("org.apache.zookeeper", "org.apache.curator")) {
            ch.qos.logback.classic.Logger logger = context.getLogger(name);
            logger.addAppender(appender);
            logger.setAdditive(false);
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static Level rootLevel(String configured) {
        return configured == null || configured.isBlank() ? Level.WARN
                : Level.toLevel(configured.trim().toUpperCase(Locale.ROOT), Level.WARN);
    }
}
