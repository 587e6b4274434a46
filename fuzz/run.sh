#!/usr/bin/env bash
# Runs fuzz targets one after another, each for SECONDS (default 300), at the lowest
# priority, on the committed seeds (fuzz/corpus/<target>, read only) and a growth folder
# (fuzz/runs/<target>, not committed). Logs go to fuzz/logs/<target>.log; a crash is
# saved under fuzz/artifacts/<target>/. Needs cargo-fuzz; see docs/fuzzing.md.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(clientbank clientbank_parts delimited xlsx commerceml enterprisedata formats amount refs pipeline)
fi
declare -A dict=([clientbank]=clientbank [clientbank_parts]=clientbank [pipeline]=clientbank [formats]=clientbank
  [delimited]=delimited [xlsx]=xml [commerceml]=xml [enterprisedata]=xml
  [amount]=amount [refs]=refs)
mkdir -p fuzz/logs
for t in "${targets[@]}"; do
  mkdir -p "fuzz/runs/$t"
  echo "== $t: ${seconds} s"
  RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run --sanitizer none "$t" "fuzz/runs/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict="fuzz/dict/${dict[$t]}.dict" -print_final_stats=1 >"fuzz/logs/$t.log" 2>&1 || {
    echo "$t: FAILED, see fuzz/logs/$t.log"
    continue
  }
  grep -E "^(Done|#[0-9]+ *DONE)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "fuzz/logs/$t.log" || true
done
