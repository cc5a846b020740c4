package dev.wgmesh.dataplane.daemon;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One-line log records on stderr in wireguard-go's shape ({@code DEBUG: (wg0) 2024/01/02 15:04:05 message}). Both
 * java.util.logging and System.Logger (which defaults to it) end up here.
 */
final class DaemonLogging {
    private DaemonLogging() {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    static void configure(String ifname, Level level) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(level);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String tag = r.getLevel().intValue() >= Level.SEVERE.intValue()
                        ? "ERROR"
                        : r.getLevel().intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
                String msg = formatMessage(r);
                StringBuilder sb = new StringBuilder()
                        .append(tag)
                        .append(": (")
                        .append(ifname)
                        .append(") ")
                        .append(LocalDateTime.now().format(TIME))
                        .append(' ')
                        .append(msg)
                        .append('\n');
                if (r.getThrown() != null && level.intValue() <= Level.FINE.intValue()) {
                    sb.append(r.getThrown()).append('\n');
                }
                return sb.toString();
            }
        });
        root.addHandler(handler);
        root.setLevel(level);
    }
}
