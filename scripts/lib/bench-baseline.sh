# Sourced by scripts/bench-jmh: builds a copy of bench/target/benchmarks.jar whose memdb library
# classes come from another git revision (optionally with a probe patch applied), so one run
# measures the same benchmarks before and after a change. Only the library is swapped (dev/memdb/*.class and dev/memdb/internal/**); the benchmark
# code stays the current one, so it must only use API the older revision has.

# memdb_baseline_jar ROOT REV [PATCH]: prints the path of bench/target/benchmarks-<commit>.jar
# (built once), or, with PATCH (a probe of bench/probes/ applied on top of REV), of
# benchmarks-<commit>-<patch name>.jar (rebuilt when the patch is newer).
memdb_baseline_jar() {
  local root=$1 rev=$2 patch=${3:-} commit tmp out
  commit=$(git -C "$root" rev-parse --short "$rev^{commit}") || { echo "memdb: no revision $rev" >&2; return 1; }
  out="$root/bench/target/benchmarks-$commit${patch:+-$(basename "$patch" .patch)}.jar"
  if [ -f "$out" ] && [ "$out" -nt "$root/bench/target/benchmarks.jar" ] \
     && { [ -z "$patch" ] || [ "$out" -nt "$patch" ]; }; then
    echo "$out"
    return 0
  fi
  tmp=$(mktemp -d)
  echo "memdb: compiling the library at $commit${patch:+ with $patch} for the baseline (in $tmp)" >&2
  git -C "$root" worktree add --detach -q "$tmp/src" "$commit" >&2 || return 1
  if [ -n "$patch" ] && ! git -C "$tmp/src" apply "$patch" >&2; then
    echo "memdb: $patch does not apply to $commit (pass --compare with the revision it was made on)" >&2
    git -C "$root" worktree remove --force "$tmp/src"
    rm -rf "$tmp"
    return 1
  fi
  if ! (cd "$tmp/src" && mvn -B -ntp -q compile -Dspotless.check.skip=true >&2); then
    git -C "$root" worktree remove --force "$tmp/src"
    rm -rf "$tmp"
    return 1
  fi
  cp "$root/bench/target/benchmarks.jar" "$out.part"
  # Library classes the older revision also has are replaced; newer ones stay, unused by it.
  (cd "$tmp/src/target/classes" && "$JAVA_HOME/bin/jar" --update --file "$out.part" dev/memdb) >&2 || return 1
  mv "$out.part" "$out"
  git -C "$root" worktree remove --force "$tmp/src"
  rm -rf "$tmp"
  echo "$out"
}
