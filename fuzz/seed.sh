#!/bin/sh
# Seeds fuzz/corpus/<target>/ from samples/ and the conformance files (copied at run time, never
# committed). Usage: fuzz/seed.sh [conformance-dir]   (default /work/shared/conformance)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
conf=${1:-/work/shared/conformance}
corpus="$here/corpus"
seed() { # seed <target> <find -name patterns...>
    t=$1; shift
    mkdir -p "$corpus/$t"
    for dir in "$root/samples" "$conf"; do
        [ -d "$dir" ] || continue
        find "$dir" -type f \( "$@" \) -size -1000k | while read -r f; do
            cp "$f" "$corpus/$t/$(printf '%s' "$f" | cksum | cut -d' ' -f1)-$(basename "$f")"
        done
    done
}
seed resource_csv -name 'resource*.csv'
seed event_csv -name 'event*.csv'
seed entry_csv -name 'entr*.csv'
seed ical -name '*.ics'
seed mrss_xml -name '*.xml'
seed jsonl -name '*.jsonl'
for t in detect fix convert; do
    seed "$t" -name '*.csv' -o -name '*.ics' -o -name '*.xml' -o -name '*.jsonl'
done
# A CSV seed for each reader whatever its name says: the CSV readers share the tokenizer.
for t in resource_csv event_csv entry_csv; do
    [ -n "$(ls "$corpus/$t")" ] || seed "$t" -name '*.csv'
done
for t in "$corpus"/*; do echo "$(ls "$t" | wc -l) seeds in $t"; done
