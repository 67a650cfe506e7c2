# Sourced by scripts/bench and scripts/bench-jmh: finds a JDK 22+, installs the library into the
# local Maven repository and builds bench/target/benchmarks.jar (both quietly, each only when a
# source file is newer than what it built last; MEMDB_BENCH_REBUILD=1 forces both).

memdb_bench_build() {
  local root=$1 stamp jar
  # shellcheck source=find-jdk.sh
  . "$root/scripts/lib/find-jdk.sh"
  memdb_find_jdk
  command -v mvn >/dev/null 2>&1 || { echo "memdb: Maven (mvn 3.8.7+) is needed to build the benchmarks" >&2; return 1; }
  stamp="$root/bench/target/.memdb-installed"
  jar="$root/bench/target/benchmarks.jar"
  if [ "${MEMDB_BENCH_REBUILD:-0}" = 1 ] || [ ! -f "$stamp" ] \
     || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    echo "memdb: installing the library into ~/.m2 (mvn -DskipTests install) with JAVA_HOME=$JAVA_HOME"
    (cd "$root" && mvn -B -ntp -q -DskipTests install) || return 1
    rm -f "$jar"
    mkdir -p "$root/bench/target" && touch "$stamp"
  fi
  if [ ! -f "$jar" ] || [ -n "$(find "$root/bench/src" "$root/bench/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "memdb: building bench/target/benchmarks.jar (mvn package)"
    (cd "$root/bench" && mvn -B -ntp -q package) || return 1
  fi
}
