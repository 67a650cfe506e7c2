# Sourced by memdb's scripts: finds a JDK 22+ and exports JAVA_HOME, or stops with a clear message.
# Search order: $JAVA_HOME, the java on PATH, then the usual install folders.

memdb_java_major() {
  # Prints the feature version of the java at $1/bin/java, or nothing.
  local home=$1 line
  [ -x "$home/bin/java" ] || return 0
  line=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | grep -m1 'java.specification.version' || true)
  line=${line##*= }
  line=${line%%.*}
  printf '%s' "$line"
}

memdb_find_jdk() {
  local need=${MEMDB_MIN_JDK:-22} candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c=$(readlink -f "$(command -v java)")
    candidates+=("${c%/bin/java}")
  fi
  for c in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/javac" ] || continue
    major=$(memdb_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge "$need" ] 2>/dev/null; then
      export JAVA_HOME=$c
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  {
    echo "memdb needs a JDK $need or newer (Foreign Function & Memory API), and none was found."
    echo "Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH, and /usr/lib/jvm/*."
    echo "Install one (for example Temurin 25) or set JAVA_HOME to it, then run this again."
  } >&2
  return 1
}
