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
# The sandbox: a few whole requests (the first byte 0 prepends nothing).
mkdir -p "$corpus/sandbox_http"
printf '\000POST /api_v3/service/session/action/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 39\r\n\r\nsecret=s&partnerId=100&type=2&format=1' >"$corpus/sandbox_http/form"
printf '\002Content-Length: 60\r\n\r\n{"format":1,"1":{"service":"media","action":"list"},"ks":"x"}' >"$corpus/sandbox_http/json"
printf '\003Transfer-Encoding: chunked\r\n\r\n2d\r\n--B\r\nContent-Disposition: form-data; name="ks"\r\n\r\nx\r\n0\r\n\r\n' >"$corpus/sandbox_http/multipart"
printf '\000GET /api_v3/service/system/action/ping?format=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$corpus/sandbox_http/get"
# A CSV seed for each reader whatever its name says: the CSV readers share the tokenizer.
for t in resource_csv event_csv entry_csv; do
    [ -n "$(ls "$corpus/$t")" ] || seed "$t" -name '*.csv'
done
for t in "$corpus"/*; do echo "$(ls "$t" | wc -l) seeds in $t"; done
