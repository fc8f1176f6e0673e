#!/bin/sh
# Runs every fuzz target for $SECS seconds (default 180), $JOBS at a time (default 1), after
# seeding the corpora. Logs go to fuzz/logs/<target>.log; crashers to fuzz/artifacts/<target>/.
# Usage: fuzz/run.sh [target...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
secs=${SECS:-180}
jobs=${JOBS:-1}
./seed.sh >/dev/null
targets=${*:-$(RUSTC_BOOTSTRAP=1 cargo fuzz list)}
RUSTC_BOOTSTRAP=1 cargo fuzz build -s none
mkdir -p logs
printf '%s\n' $targets | xargs -P "$jobs" -I{} sh -c "RUSTC_BOOTSTRAP=1 nice cargo fuzz run -s none {} -- -max_total_time=$secs -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >logs/{}.log 2>&1; echo \"{}: exit \$? \$(grep -h '^stat::number_of_executed_units' logs/{}.log | sed 's/.*: *//') runs\""
