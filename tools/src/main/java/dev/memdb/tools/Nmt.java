package dev.memdb.tools;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The JVM's Native Memory Tracking, read two ways: {@code jcmd <pid> VM.native_memory ...} run from
 * the same JDK as a separate process (what a user would type), and the in-process {@code
 * DiagnosticCommand} MBean (cheap enough to sample). Both return the same text; {@link #other}
 * parses the "Other" line, where FFM memory is counted.
 */
final class Nmt {
  private static final Pattern OTHER =
      Pattern.compile(
          "-\\s+Other \\(reserved=(\\d+)KB(?: ([+-]\\d+)KB)?, committed=(\\d+)KB(?: ([+-]\\d+)KB)?\\)");
  private static final Pattern OTHER_MALLOC =
      Pattern.compile("\\(malloc=(\\d+)KB(?: ([+-]\\d+)KB)?(?: tag=Other)? #(\\d+)(?: ([+-]\\d+))?");
  private static final Pattern ABSENT = Pattern.compile("-\\s+Other ");

  private Nmt() {}

  /** "Other" as NMT prints it: committed KB, its change since the baseline (diff only), malloc count. */
  record Other(long committedKb, long deltaKb, long mallocCount, long mallocCountDelta, String line) {
    long committedBytes() {
      return committedKb << 10;
    }

    long deltaBytes() {
      return deltaKb << 10;
    }
  }

  /** Whether this JVM runs with NMT. */
  static boolean enabled() {
    try {
      return !mbean("summary").contains("not enabled");
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code VM.native_memory <args>} through the DiagnosticCommand MBean of this JVM. */
  static String mbean(String... args) {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
      return (String)
          server.invoke(name, "vmNativeMemory", new Object[] {args}, new String[] {String[].class.getName()});
    } catch (Exception e) {
      throw new IllegalStateException("DiagnosticCommand vmNativeMemory failed: " + e, e);
    }
  }

  /** Runs {@code System.trim_native_heap} (glibc malloc_trim) through the DiagnosticCommand MBean. */
  static String trimNativeHeap() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
      return String.valueOf(
          server.invoke(name, "systemTrimNativeHeap", new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    } catch (Exception e) {
      return "System.trim_native_heap unavailable: " + e.getMessage();
    }
  }

  /**
   * Runs {@code jcmd <this pid> VM.native_memory <args>} with the jcmd of the running JDK.
   *
   * @return jcmd's output
   */
  static String jcmd(String... args) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    List<String> cmd = new ArrayList<>();
    cmd.add(jcmd.toString());
    cmd.add(Long.toString(ProcessHandle.current().pid()));
    cmd.add("VM.native_memory");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc + ":\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + jcmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Parses the "Other" category of a summary or summary.diff; an absent line means 0. */
  static Other other(String text) {
    Matcher m = OTHER.matcher(text);
    if (!m.find()) {
      if (text.contains("not enabled")) {
        throw new IllegalStateException("Native Memory Tracking is not enabled: " + text.strip());
      }
      return new Other(0, 0, 0, 0, "(no Other line: 0 KB)");
    }
    long committed = Long.parseLong(m.group(3));
    long delta = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
    String line = m.group().strip();
    long count = 0;
    long countDelta = 0;
    Matcher mm = OTHER_MALLOC.matcher(text);
    if (mm.find(m.end())) {
      count = Long.parseLong(mm.group(3));
      countDelta = mm.group(4) == null ? 0 : Long.parseLong(mm.group(4));
      line = line + " " + mm.group().strip() + ")";
    }
    return new Other(committed, delta, count, countDelta, line);
  }

  private static final Pattern TOTAL =
      Pattern.compile("Total: reserved=\\d+KB(?: [+-]\\d+KB)?, committed=\\d+KB(?: ([+-]\\d+)KB)?");

  /** The change of the JVM's total committed memory in a summary.diff, in bytes. */
  static long totalCommittedDelta(String diff) {
    Matcher m = TOTAL.matcher(diff);
    return m.find() && m.group(1) != null ? Long.parseLong(m.group(1)) << 10 : 0;
  }

  /** Committed KB of "Other" now, from the MBean; -1 without NMT. */
  static long otherCommittedBytesNow() {
    String s = mbean("summary");
    if (s.contains("not enabled")) {
      return -1;
    }
    return ABSENT.matcher(s).find() ? other(s).committedBytes() : 0;
  }

  /** Resident set size of this process in bytes, from /proc/self/status (VmRSS); -1 if unknown. */
  static long rssBytes() {
    return status("VmRSS:");
  }

  /** Anonymous resident memory (RssAnon: malloc, heap, stacks; not mapped files) in bytes; -1 if unknown. */
  static long rssAnonBytes() {
    return status("RssAnon:");
  }

  private static long status(String field) {
    // FileInputStream, not Files/NIO: NIO reads through a cached temporary direct buffer, which is
    // itself malloc'ed memory in NMT "Other" and would show up in the very figure being measured.
    try (var in = new java.io.FileInputStream("/proc/self/status")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
