#!/usr/bin/env bash
# Where `kbulk check` spends its cycles, per format (issue 15): generates a clean file of each
# format (benches/rss.sh --gen), counts cycles and instructions per byte with `perf stat` and
# prints the flat profile by function (`perf record` / `perf report`), one thread (-j 1) so
# stages are not interleaved. Not run in CI. Usage: benches/profile.sh [MB] (default 200).
# Env: KBULK (binary; default target/release/kbulk), KBULK_PROFILE_FORMATS.
set -euo pipefail
cd "$(dirname "$0")/.."
KBULK=${KBULK:-target/release/kbulk}
MB=${1:-200}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for fmt in ${KBULK_PROFILE_FORMATS:-resource entry xml ical}; do
    ext=$([ "$fmt" = xml ] && echo xml || { [ "$fmt" = ical ] && echo ics || echo csv; })
    f="$DIR/p.$ext"
    benches/rss.sh --gen "$fmt" "$MB" "$f" >/dev/null
    bytes=$(stat -c %s "$f")
    run=("$KBULK" check --format json --max-records 0 -j 1 "$f")
    stat=$(perf stat -x, -e cycles:u,instructions:u -- "${run[@]}" 2>&1 >/dev/null || true)
    cyc=$(awk -F, '/cycles/ {print $1}' <<<"$stat")
    ins=$(awk -F, '/instructions/ {print $1}' <<<"$stat")
    echo
    echo "## $fmt: $bytes bytes; $(awk -v c="$cyc" -v i="$ins" -v b="$bytes" 'BEGIN {printf "%.1f cycles/byte, %.1f instructions/byte (user space)", c/b, i/b}')"
    perf record -q -F 999 -o "$DIR/perf.data" -- "${run[@]}" >/dev/null 2>&1 || true
    perf report -i "$DIR/perf.data" --stdio --no-children --sort symbol --percent-limit 1.5 2>/dev/null \
        | grep -v '^#' | grep -v '^$' | head -30
    rm -f "$f" "$DIR/perf.data"
done
