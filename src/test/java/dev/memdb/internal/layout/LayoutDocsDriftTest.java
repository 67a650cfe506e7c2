package dev.memdb.internal.layout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.memdb.IndexTooLargeException;
import dev.memdb.KeyTooLargeException;
import dev.memdb.MemDBOptions;
import dev.memdb.internal.arena.Address;
import dev.memdb.internal.tree.TreeReader;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code native-layout-docs/layout.md} honest: every row of its {@code ## Node}, {@code ##
 * Value-log record header} and {@code ## Constants} tables must match the layouts and constants in
 * code. Maven runs tests from the project root, so the document is found relative to the working
 * directory; {@code -Dmemdb.layoutDoc=PATH} checks another copy (used to see the test fail).
 */
class LayoutDocsDriftTest {
  static final String DOC_PROPERTY = "memdb.layoutDoc";
  static final Path DEFAULT_DOC = Path.of("native-layout-docs", "layout.md");

  static final List<String> STRUCT_COLUMNS =
      List.of("field", "offset", "size", "alignment", "byte order", "access");
  static final List<String> CONSTANT_COLUMNS = List.of("name", "value");

  /** Every constant the document may list, and where the code keeps it. */
  static final Map<String, Long> CONSTANTS = new LinkedHashMap<>();

  static {
    CONSTANTS.put("NODE_HEADER_SIZE", NodeLayout.KEY_OFFSET);
    CONSTANTS.put("NODE_ALIGNMENT", NodeLayout.ALIGNMENT);
    CONSTANTS.put("RECORD_HEADER_SIZE", RecordLayout.HEADER_SIZE);
    CONSTANTS.put("RED_BIT", (long) NodeLayout.RED_BIT);
    CONSTANTS.put("DELETED_BIT", (long) NodeLayout.DELETED_BIT);
    CONSTANTS.put("KEY_FLAGS_MASK", (long) NodeLayout.KEY_FLAGS_MASK);
    CONSTANTS.put("MAX_KEY_LENGTH", (long) KeyTooLargeException.MAX_KEY_LENGTH);
    CONSTANTS.put("NULL_ADDRESS", Address.NULL);
    CONSTANTS.put("NO_NODE", NodeLayout.NO_NODE);
    CONSTANTS.put("MAX_INDEX_BYTES", IndexTooLargeException.MAX_INDEX_BYTES);
    CONSTANTS.put("MAX_HEIGHT", (long) TreeReader.MAX_HEIGHT);
    CONSTANTS.put("DEFAULT_INITIAL_BLOCK_SIZE", (long) MemDBOptions.DEFAULT_INITIAL_BLOCK_SIZE);
    CONSTANTS.put("DEFAULT_MAX_BLOCK_SIZE", (long) MemDBOptions.DEFAULT_MAX_BLOCK_SIZE);
  }

  @Test
  void nodeTableMatchesNodeLayout() {
    assertNoProblems(checkStruct(readDoc(), "## Node", NodeLayout.LAYOUT));
  }

  @Test
  void recordHeaderTableMatchesRecordLayout() {
    assertNoProblems(checkStruct(readDoc(), "## Value-log record header", RecordLayout.HEADER));
  }

  @Test
  void constantsTableMatchesCode() {
    assertNoProblems(checkConstants(readDoc()));
  }

  @Test
  void flagBitsTableMatchesKeyFlag() {
    assertNoProblems(checkFlags(readDoc()));
  }

  /**
   * The flag table lists every KeyFlag at its bit with its mask and persistence, then the node
   * bits.
   */
  static List<String> checkFlags(String doc) {
    List<String> problems = new ArrayList<>();
    Table t = table(doc, "### Flag bits", problems);
    if (t == null) {
      return problems;
    }
    if (!t.columns().equals(List.of("bit", "mask", "flag", "persistent"))) {
      problems.add("### Flag bits: columns " + t.columns());
      return problems;
    }
    dev.memdb.KeyFlag[] flags = dev.memdb.KeyFlag.values();
    if (t.rows().size() != flags.length + 2) {
      problems.add("### Flag bits: " + t.rows().size() + " rows, expected " + (flags.length + 2));
    }
    for (int i = 0; i < t.rows().size(); i++) {
      List<String> row = t.rows().get(i);
      int bit = Integer.parseInt(row.get(0));
      long mask = Long.decode(row.get(1));
      if (bit != i || mask != 1L << i) {
        problems.add("### Flag bits row " + (i + 1) + ": bit " + bit + " mask " + row.get(1));
      }
      if (i < flags.length) {
        if (!row.get(2).equals(flags[i].name()) || flags[i].mask() != mask) {
          problems.add(
              "### Flag bits row " + (i + 1) + ": '" + row.get(2) + "' is not " + flags[i]);
        }
        String persistent = flags[i].isPersistent() ? "yes" : "no";
        if (!row.get(3).equals(persistent)) {
          problems.add(
              "### Flag bits: "
                  + flags[i]
                  + " persistent is "
                  + persistent
                  + ", doc says "
                  + row.get(3));
        }
      } else if (i == flags.length && mask != NodeLayout.DELETED_BIT
          || i == flags.length + 1 && mask != NodeLayout.RED_BIT) {
        problems.add(
            "### Flag bits row "
                + (i + 1)
                + ": node bit "
                + row.get(1)
                + " differs from NodeLayout");
      }
    }
    return problems;
  }

  /** The checks must be able to fail: drift injected into in-memory copies is reported. */
  @Test
  void driftIsReported() {
    String doc = readDoc();
    assertNoProblems(checkStruct(doc, "## Node", NodeLayout.LAYOUT));

    assertReported(
        checkStruct(
            replaceRow(doc, "| value | 8 | 8 |", "| value | 12 | 8 |"),
            "## Node",
            NodeLayout.LAYOUT),
        "value: offset");
    assertReported(
        checkStruct(
            replaceRow(doc, "| flags | 6 | 2 |", "| flags | 6 | 4 |"),
            "## Node",
            NodeLayout.LAYOUT),
        "flags: size");
    assertReported(
        checkStruct(
            replaceRow(
                doc,
                "| previous | 4 | 8 | 1 | little-endian |",
                "| previous | 4 | 8 | 1 | big-endian |"),
            "## Value-log record header",
            RecordLayout.HEADER),
        "previous: byte order");
    assertReported(
        checkStruct(replaceRow(doc, "| left | 16 |", "| lft | 16 |"), "## Node", NodeLayout.LAYOUT),
        "row 5: field 'lft'");
    assertReported(
        checkStruct(
            replaceRow(doc, "| next | 24 | 4 |", "| next | 24 | 8 |"),
            "## Node",
            NodeLayout.LAYOUT),
        "next: size");
    assertReported(
        checkStruct(
            replaceRow(doc, "| node | 12 | 4 |", "| node | 12 | 8 |"),
            "## Value-log record header",
            RecordLayout.HEADER),
        "node: size");
    assertReported(
        checkStruct(
            dropRowStartingWith(doc, "| node | 12 |"),
            "## Value-log record header",
            RecordLayout.HEADER),
        "fields");
    assertReported(
        checkConstants(replaceRow(doc, "| MAX_HEIGHT | 128 |", "| MAX_HEIGHT | 129 |")),
        "MAX_HEIGHT");
    assertReported(
        checkConstants(
            replaceRow(doc, "| RED_BIT | 0x8000 |", "| RED_BIT | 0x8000 |\n| BLUE_BIT | 0x1 |")),
        "unknown constant BLUE_BIT");
    assertReported(checkConstants(dropRowStartingWith(doc, "| NULL_ADDRESS |")), "NULL_ADDRESS");
    assertReported(
        checkStruct(doc.replace("## Node\n", "## Nodes\n"), "## Node", NodeLayout.LAYOUT),
        "## Node");
    assertReported(
        checkFlags(
            replaceRow(
                doc, "| 1 | 0x0002 | KEY_LOCKED | yes |", "| 1 | 0x0002 | KEY_LOCKED | no |")),
        "KEY_LOCKED persistent");
    assertReported(
        checkFlags(
            replaceRow(doc, "| 7 | 0x0080 | READABLE | no |", "| 7 | 0x0080 | WRITABLE | no |")),
        "'WRITABLE' is not READABLE");
  }

  // ---------------------------------------------------------------- checks

  /** Compares the table under {@code heading} with a struct layout; returns every mismatch. */
  static List<String> checkStruct(String doc, String heading, StructLayout layout) {
    List<String> problems = new ArrayList<>();
    Table table = table(doc, heading, problems);
    if (table == null) {
      return problems;
    }
    if (!table.columns.equals(STRUCT_COLUMNS)) {
      problems.add(heading + ": columns are " + table.columns + ", expected " + STRUCT_COLUMNS);
      return problems;
    }
    List<MemoryLayout> members =
        layout.memberLayouts().stream().filter(m -> !(m instanceof PaddingLayout)).toList();
    List<String> names = members.stream().map(m -> m.name().orElse("?")).toList();
    List<String> documented = table.rows.stream().map(r -> r.get(0)).toList();
    if (!documented.equals(names)) {
      problems.add(
          heading
              + ": fields "
              + documented
              + " differ from "
              + layout.name().orElse("the layout")
              + " members "
              + names);
    }
    for (int i = 0; i < table.rows.size(); i++) {
      List<String> row = table.rows.get(i);
      String field = row.get(0);
      if (i >= names.size() || !names.get(i).equals(field)) {
        problems.add(
            heading
                + " row "
                + (i + 1)
                + ": field '"
                + field
                + "' is not member "
                + (i + 1)
                + " of the layout");
      }
      if (!names.contains(field)) {
        continue;
      }
      MemoryLayout member = layout.select(groupElement(field));
      expectNumber(
          problems, heading, field, "offset", row.get(1), layout.byteOffset(groupElement(field)));
      expectNumber(problems, heading, field, "size", row.get(2), member.byteSize());
      expectNumber(
          problems, heading, field, "alignment", leadingToken(row.get(3)), member.byteAlignment());
      ByteOrder order = member instanceof ValueLayout v ? v.order() : null;
      ByteOrder documentedOrder =
          switch (row.get(4)) {
            case "native" -> ByteOrder.nativeOrder();
            case "little-endian" -> ByteOrder.LITTLE_ENDIAN;
            case "big-endian" -> ByteOrder.BIG_ENDIAN;
            default -> null;
          };
      if (documentedOrder == null || !documentedOrder.equals(order)) {
        problems.add(
            heading + " " + field + ": byte order '" + row.get(4) + "', the layout has " + order);
      }
      if (row.get(5).isBlank()) {
        problems.add(heading + " " + field + ": access is empty");
      }
    }
    return problems;
  }

  /** Compares the {@code ## Constants} table with the code; returns every mismatch. */
  static List<String> checkConstants(String doc) {
    List<String> problems = new ArrayList<>();
    Table table = table(doc, "## Constants", problems);
    if (table == null) {
      return problems;
    }
    if (!table.columns.equals(CONSTANT_COLUMNS)) {
      problems.add("## Constants: columns are " + table.columns + ", expected " + CONSTANT_COLUMNS);
      return problems;
    }
    List<String> seen = new ArrayList<>();
    for (List<String> row : table.rows) {
      String name = row.get(0);
      seen.add(name);
      Long expected = CONSTANTS.get(name);
      if (expected == null) {
        problems.add(
            "## Constants: unknown constant " + name + " (map it to a code constant in this test)");
        continue;
      }
      expectNumber(problems, "## Constants", name, "value", row.get(1), expected);
    }
    for (String name : CONSTANTS.keySet()) {
      if (!seen.contains(name)) {
        problems.add("## Constants: " + name + " is not documented");
      }
    }
    return problems;
  }

  private static void expectNumber(
      List<String> problems,
      String heading,
      String field,
      String column,
      String text,
      long expected) {
    Long actual = parseNumber(text);
    if (actual == null) {
      problems.add(heading + " " + field + ": " + column + " '" + text + "' is not a number");
    } else if (actual != expected) {
      problems.add(
          heading
              + " "
              + field
              + ": "
              + column
              + " is "
              + text
              + " in the doc, "
              + expected
              + " in code");
    }
  }

  /** Decimal or {@code 0x} hex, optionally negative, underscores allowed. */
  static Long parseNumber(String text) {
    try {
      return Long.decode(text.replace("_", "").trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String leadingToken(String cell) {
    int space = cell.indexOf(' ');
    return space < 0 ? cell : cell.substring(0, space);
  }

  // ---------------------------------------------------------------- markdown

  /** A markdown table: its column names and its body rows, cells trimmed, backticks removed. */
  record Table(List<String> columns, List<List<String>> rows) {}

  /**
   * Returns the first table between the line {@code heading} (exactly) and the next heading of the
   * same or a higher level, or null (with a problem recorded) if there is none.
   */
  static Table table(String doc, String heading, List<String> problems) {
    String[] lines = doc.split("\r?\n", -1);
    int level = heading.indexOf(' ');
    int start = -1;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().equals(heading)) {
        if (start >= 0) {
          problems.add("heading '" + heading + "' occurs more than once");
          return null;
        }
        start = i;
      }
    }
    if (start < 0) {
      problems.add("heading '" + heading + "' not found");
      return null;
    }
    List<String> tableLines = new ArrayList<>();
    boolean inFence = false;
    for (int i = start + 1; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("```")) {
        inFence = !inFence; // diagrams in code blocks may contain '|' lines: never a table
        if (!tableLines.isEmpty()) {
          break;
        }
        continue;
      }
      if (inFence) {
        continue;
      }
      if (isHeadingAtMost(line, level)) {
        break;
      }
      if (line.startsWith("|")) {
        tableLines.add(line);
      } else if (!tableLines.isEmpty()) {
        break;
      }
    }
    if (tableLines.size() < 2 || !tableLines.get(1).matches("\\|(\\s*:?-+:?\\s*\\|)+")) {
      problems.add("no markdown table under '" + heading + "'");
      return null;
    }
    List<String> columns = cells(tableLines.get(0));
    List<List<String>> rows = new ArrayList<>();
    for (int i = 2; i < tableLines.size(); i++) {
      List<String> row = cells(tableLines.get(i));
      if (row.size() != columns.size()) {
        problems.add(
            heading
                + ": row '"
                + tableLines.get(i)
                + "' has "
                + row.size()
                + " cells, expected "
                + columns.size());
        continue;
      }
      rows.add(row);
    }
    return new Table(columns, rows);
  }

  private static boolean isHeadingAtMost(String line, int level) {
    int hashes = 0;
    while (hashes < line.length() && line.charAt(hashes) == '#') {
      hashes++;
    }
    return hashes > 0 && hashes <= level && line.length() > hashes && line.charAt(hashes) == ' ';
  }

  private static List<String> cells(String line) {
    String inner = line.substring(1, line.endsWith("|") ? line.length() - 1 : line.length());
    return Arrays.stream(inner.split("\\|", -1)).map(c -> c.replace("`", "").strip()).toList();
  }

  // ---------------------------------------------------------------- helpers

  static String readDoc() {
    String override = System.getProperty(DOC_PROPERTY);
    Path path = override == null || override.isBlank() ? DEFAULT_DOC : Path.of(override);
    if (!Files.isRegularFile(path)) {
      fail(
          "layout document "
              + path.toAbsolutePath()
              + " not found (working directory "
              + Path.of("").toAbsolutePath()
              + "); run the tests from the project root");
    }
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + path.toAbsolutePath(), e);
    }
  }

  private static void assertNoProblems(List<String> problems) {
    assertTrue(
        problems.isEmpty(),
        () ->
            "native-layout-docs/layout.md drifted from the code:\n  "
                + String.join("\n  ", problems));
  }

  private static void assertReported(List<String> problems, String expectedFragment) {
    assertTrue(
        problems.stream().anyMatch(p -> p.contains(expectedFragment)),
        () -> "expected a problem mentioning '" + expectedFragment + "', got " + problems);
  }

  private static String replaceRow(String doc, String rowPrefix, String replacement) {
    int at = doc.indexOf(rowPrefix);
    assertTrue(at >= 0, () -> "the document has no row starting with " + rowPrefix);
    assertEquals(
        at, doc.lastIndexOf(rowPrefix), () -> "more than one row starts with " + rowPrefix);
    return doc.substring(0, at) + replacement + doc.substring(at + rowPrefix.length());
  }

  private static String dropRowStartingWith(String doc, String rowPrefix) {
    int at = doc.indexOf(rowPrefix);
    assertTrue(at >= 0, () -> "the document has no row starting with " + rowPrefix);
    int end = doc.indexOf('\n', at);
    return doc.substring(0, at) + doc.substring(end + 1);
  }
}
