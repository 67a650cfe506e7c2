package dev.memdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * memdb logs through {@link System.Logger}, which routes to java.util.logging by default (the
 * README's recipe): at TRACE (JUL {@code FINER}) under the logger {@code dev.memdb.MemDB}, and not
 * at all at the default level.
 */
class LoggingTest {
  private static final byte[] KEY = {1};

  @Test
  void blockAndLifecycleMessagesReachJulAtFiner() {
    List<LogRecord> records = capture(Level.FINER, this::writeAndClose);
    assertTrue(
        records.stream()
            .anyMatch(
                r ->
                    r.getLevel() == Level.FINER
                        && r.getMessage()
                            .matches("memdb#\\d+ \\w+ arena: allocated a block of .*")),
        "a block allocation was logged: " + messages(records));
    assertTrue(
        records.stream().anyMatch(r -> r.getMessage().matches("memdb#\\d+ close: 1 keys, .*")),
        "the close was logged: " + messages(records));
    assertTrue(
        records.stream().allMatch(r -> r.getLoggerName().equals("dev.memdb.MemDB")),
        "one logger name: " + records.stream().map(LogRecord::getLoggerName).toList());
  }

  @Test
  void nothingIsLoggedAtTheDefaultLevel() {
    List<LogRecord> records = capture(Level.INFO, this::writeAndClose);
    assertEquals(List.of(), messages(records));
  }

  private void writeAndClose() {
    try (MemDB db = MemDB.create()) {
      db.set(KEY, new byte[] {2});
    }
  }

  /**
   * Runs {@code work} with the JUL logger {@code dev.memdb} at {@code level}, collecting records.
   */
  private static List<LogRecord> capture(Level level, Runnable work) {
    Logger logger = Logger.getLogger("dev.memdb");
    Level oldLevel = logger.getLevel();
    boolean oldParents = logger.getUseParentHandlers();
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
    logger.setLevel(level);
    try {
      work.run();
    } finally {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(oldParents);
      logger.setLevel(oldLevel);
    }
    return records;
  }

  private static List<String> messages(List<LogRecord> records) {
    return records.stream().map(LogRecord::getMessage).toList();
  }
}
