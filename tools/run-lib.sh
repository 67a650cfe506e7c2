# Sourced by scripts/offheap-*: finds a JDK 22+, installs memdb (tests neither compiled nor run) and builds the tools jar,
# and makes the report folder tools/reports/<script>-<timestamp>/.
memdb_tools_prepare() {
  local script=$1
  # shellcheck source=../scripts/lib/find-jdk.sh
  . "$MEMDB_ROOT/scripts/lib/find-jdk.sh"
  memdb_find_jdk || exit 1
  export PATH="$JAVA_HOME/bin:$PATH"
  TOOLS_JAR="$MEMDB_ROOT/tools/target/memdb-tools.jar"
  local log
  log=$(mktemp)
  if [ -z "${MEMDB_SKIP_BUILD:-}" ] || [ ! -f "$TOOLS_JAR" ]; then
    echo "memdb: building memdb and tools/ with JAVA_HOME=$JAVA_HOME (MEMDB_SKIP_BUILD=1 skips this)" >&2
    if ! (cd "$MEMDB_ROOT" && mvn -B -ntp -q -Dmaven.test.skip=true install) >"$log" 2>&1; then
      cat "$log" >&2; echo "memdb: building memdb failed" >&2; exit 1
    fi
    if ! (cd "$MEMDB_ROOT/tools" && mvn -B -ntp -q package) >"$log" 2>&1; then
      cat "$log" >&2; echo "memdb: building tools/ failed" >&2; exit 1
    fi
  fi
  rm -f "$log"
  REPORT_DIR="$MEMDB_ROOT/tools/reports/$script-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$REPORT_DIR"
  # A fixed, pre-touched heap keeps the JVM heap out of the RSS deltas; headless AWT for the charts.
  JVM_FLAGS=(-Xms64m -Xmx64m -XX:+AlwaysPreTouch -Djava.awt.headless=true)
}
