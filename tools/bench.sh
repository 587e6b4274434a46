#!/usr/bin/env bash
# End-to-end benchmark of sverka (and of odin-palace-py's parser, for comparison).
# Run `tools/bench.sh --help` for the usage; docs/performance.md has the results.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/bench.sh [OPTIONS] [SIZE_MIB...]

End-to-end benchmark of sverka on generated data of the given statement sizes in MiB
(default: 10 100; 1000 on request). For each size it
  1. generates a data set with tools/gen_bench.py (a Windows-1251 statement
     kl_to_1c.txt of about SIZE MiB, invoices.csv, orders.xml), or reuses the one
     cached under DATA_DIR for that size, seed, customer count and generator version;
  2. runs `sverka report DIR --as-of <the statement's last day> --format csv
     -o /dev/null --quiet` RUNS times under /usr/bin/time;
  3. if odin-palace-py can be imported, runs its parser on the same statement
     (`odin_palace_py.parse(bytes)`, interpreter start included) RUNS times.
sverka is built first with `cargo build --release --target-dir TARGET_DIR`.

Prints a Markdown table: tool, size MiB (nominal), input MiB (what the tool reads:
all three files for sverka, the statement for odin), documents in the statement,
wall s (median of the runs), MiB/s (input / wall), peak MiB (peak resident set
size, highest of the runs), peak/input. Progress goes to stderr.

Options:
  --target-dir DIR  cargo target directory (default: target in the repository)
  --data-dir DIR    where generated data is cached (default: TARGET_DIR/bench-data)
  --seed N          generator seed (default: 1)
  --customers N     customers in the generated data (default: 2000)
  --runs N          timed runs per tool and size (default: 3)
  --no-build        use TARGET_DIR/release/sverka as it is
  --no-odin         do not run odin-palace-py
  -h, --help        show this help

Environment:
  ODIN_PYTHON   a Python with odin_palace_py installed
                (default: /tmp/odin/bin/python if it exists)
  PYTHON        the Python that runs the generator (default: python3)

Examples:
  tools/bench.sh                       10 and 100 MiB
  tools/bench.sh 10 100 1000           also 1 GiB (about 1.2 GiB of data on disk)
  tools/bench.sh --target-dir /tmp/bench-target --runs 5 100

Exit status: 0 on success, 1 when a build, generation or run fails, 2 on wrong usage.
EOF
}

die() { echo "bench.sh: $*" >&2; exit 1; }
bad_usage() { echo "bench.sh: $*" >&2; echo "Try 'tools/bench.sh --help'." >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

TARGET_DIR=$ROOT/target
DATA_DIR=
SEED=1
CUSTOMERS=2000
RUNS=3
BUILD=1
ODIN=1
SIZES=()

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || bad_usage "$1 needs a value"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --target-dir) need_value "$@"; TARGET_DIR=$(abspath "$2"); shift 2 ;;
    --target-dir=*) TARGET_DIR=$(abspath "${1#*=}"); shift ;;
    --data-dir) need_value "$@"; DATA_DIR=$(abspath "$2"); shift 2 ;;
    --data-dir=*) DATA_DIR=$(abspath "${1#*=}"); shift ;;
    --seed) need_value "$@"; SEED=$2; shift 2 ;;
    --seed=*) SEED=${1#*=}; shift ;;
    --customers) need_value "$@"; CUSTOMERS=$2; shift 2 ;;
    --customers=*) CUSTOMERS=${1#*=}; shift ;;
    --runs) need_value "$@"; RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --no-build) BUILD=0; shift ;;
    --no-odin) ODIN=0; shift ;;
    --) shift; SIZES+=("$@"); break ;;
    -*) bad_usage "unknown option $1" ;;
    *) SIZES+=("$1"); shift ;;
  esac
done

is_uint "$SEED" || bad_usage "--seed must be a non-negative integer, not '$SEED'"
is_uint "$CUSTOMERS" && [ "$CUSTOMERS" -ge 1 ] || bad_usage "--customers must be a positive integer, not '$CUSTOMERS'"
is_uint "$RUNS" && [ "$RUNS" -ge 1 ] || bad_usage "--runs must be a positive integer, not '$RUNS'"
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10 100)
for s in "${SIZES[@]}"; do
  [[ $s =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v s="$s" 'BEGIN { exit !(s > 0) }' \
    || bad_usage "a size is a positive number of MiB, not '$s'"
done
[ -n "$DATA_DIR" ] || DATA_DIR=$TARGET_DIR/bench-data

PYTHON=${PYTHON:-python3}
TIME=/usr/bin/time
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON)"
[ -x "$TIME" ] && "$TIME" -f '%M' true 2>/dev/null >/dev/null \
  || die "GNU time is needed at $TIME (apt-get install time)"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

# odin-palace-py, if available.
if [ "$ODIN" = 1 ]; then
  if [ -z "${ODIN_PYTHON:-}" ] && [ -x /tmp/odin/bin/python ]; then
    ODIN_PYTHON=/tmp/odin/bin/python
  fi
  if [ -z "${ODIN_PYTHON:-}" ]; then
    echo "bench.sh: odin-palace-py: no ODIN_PYTHON, skipped" >&2
    ODIN=0
  elif ! "$ODIN_PYTHON" -c 'import odin_palace_py' 2>/dev/null; then
    echo "bench.sh: odin-palace-py: $ODIN_PYTHON cannot import odin_palace_py, skipped" >&2
    ODIN=0
  fi
fi

SVERKA=$TARGET_DIR/release/sverka
if [ "$BUILD" = 1 ]; then
  command -v cargo >/dev/null || die "cargo not found"
  echo "bench.sh: building sverka (release, --target-dir $TARGET_DIR)" >&2
  (cd "$ROOT" && cargo build --release --quiet --target-dir "$TARGET_DIR") || die "cargo build failed"
fi
[ -x "$SVERKA" ] || die "no sverka binary at $SVERKA"

GEN=$ROOT/tools/gen_bench.py
GEN_HASH=$(sha256sum "$GEN" | cut -c1-8)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

meta() { sed -n "s/^$2=//p" "$1/.bench-meta"; }

# The data set for one size: cached, else generated (atomically: a half-written set is
# never taken for a cached one).
dataset() {
  local size=$1 dir
  dir=$DATA_DIR/${size}mib-seed$SEED-c$CUSTOMERS-g$GEN_HASH
  if [ ! -f "$dir/.bench-meta" ]; then
    echo "bench.sh: generating $size MiB into $dir" >&2
    mkdir -p "$DATA_DIR"
    rm -rf "$dir.partial"
    "$PYTHON" "$GEN" --out "$dir.partial" --size-mib "$size" --seed "$SEED" --customers "$CUSTOMERS" >&2 \
      || die "the generator failed for $size MiB"
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
  else
    echo "bench.sh: reusing $dir" >&2
  fi
  DATA=$dir
}

# Runs a command RUNS times; sets WALL (median, s) and PEAK (highest, KiB).
# Stdout of the last run is in $TMP/out.
measure() {
  local label=$1 i t0 t1 walls=() peaks=()
  shift
  for ((i = 1; i <= RUNS; i++)); do
    t0=$EPOCHREALTIME
    if ! "$TIME" -f '%M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err"; then
      echo "bench.sh: $label failed (run $i): $*" >&2
      tail -n 20 "$TMP/err" >&2
      exit 1
    fi
    t1=$EPOCHREALTIME
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    peaks+=("$(tail -n 1 "$TMP/time")")
    echo "bench.sh:   $label run $i: ${walls[-1]} s, $((${peaks[-1]} / 1024)) MiB" >&2
  done
  WALL=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  PEAK=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -n 1)
}

ROWS=()
row() { # tool size input_bytes documents
  ROWS+=("$(awk -v tool="$1" -v size="$2" -v input="$3" -v docs="$4" -v wall="$WALL" -v peak="$PEAK" 'BEGIN {
    mib = input / 1048576; peakmib = peak / 1024
    printf "| %s | %s | %.1f | %d | %.2f | %.0f | %.0f | %.2f |", tool, size, mib, docs, wall, mib / wall, peakmib, peakmib / mib
  }')")
}

for size in "${SIZES[@]}"; do
  dataset "$size"
  as_of=$(meta "$DATA" as_of)
  docs=$(meta "$DATA" documents)
  statement=$DATA/kl_to_1c.txt
  cat "$DATA"/kl_to_1c.txt "$DATA"/invoices.csv "$DATA"/orders.xml >/dev/null # into the page cache

  echo "bench.sh: sverka, $size MiB" >&2
  measure "sverka $size MiB" "$SVERKA" report "$DATA" --as-of "$as_of" --format csv -o /dev/null --quiet
  row sverka "$size" "$(meta "$DATA" input_bytes)" "$docs"

  if [ "$ODIN" = 1 ]; then
    echo "bench.sh: odin-palace-py, $size MiB" >&2
    measure "odin $size MiB" "$ODIN_PYTHON" -c \
      'import sys, odin_palace_py as op; print(len(op.parse(open(sys.argv[1], "rb").read()).documents))' \
      "$statement"
    read_docs=$(cat "$TMP/out")
    [ "$read_docs" = "$docs" ] \
      || echo "bench.sh: warning: odin-palace-py read $read_docs documents of $docs" >&2
    row odin-palace-py "$size" "$(meta "$DATA" statement_bytes)" "$docs"
  fi
done

version=$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown)
echo
echo "sverka $version; data: seed $SEED, $CUSTOMERS customers; $RUNS runs: wall = median, peak = highest"
echo
echo "| tool | size MiB | input MiB | documents | wall s | MiB/s | peak MiB | peak/input |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${ROWS[@]}"
