#!/usr/bin/env bash
# Peak memory and time of `kbulk check` on generated files of every format, at several sizes
# (issue 15: a 1 GB resource CSV with a unique systemName per row must check in < 100 MiB).
# Not run in CI. Usage: benches/rss.sh [SIZES_MB...]   (default: 20 200 1000)
# Env: KBULK=path to the binary (default target/release/kbulk), KBULK_RSS_DIR=where the files
# go (default a fresh directory under $TMPDIR; each file is deleted after its run),
# KBULK_RSS_FORMATS="resource entry xml ical" (which formats), KBULK_RSS_SMALL=1 also checks a
# directory of 10,000 small resource CSVs.
set -euo pipefail
cd "$(dirname "$0")/.."
KBULK=${KBULK:-target/release/kbulk}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(20 200 1000)
FORMATS=${KBULK_RSS_FORMATS:-resource entry xml ical}
DIR=${KBULK_RSS_DIR:-$(mktemp -d)}
mkdir -p "$DIR"
[ "${1:-}" = --gen ] || trap 'rm -rf "$DIR"/kbulk-rss-*' EXIT

# gen FORMAT MB FILE: a clean file of about MB megabytes, every record with its own key.
gen() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
fmt, mb, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
target = mb * 1_000_000
head = {
    "resource": "*action,name,type,systemName,description,parentType,parentSystemName\n",
    "entry": "*title,description,url,contentType,referenceId,tags\n",
    "xml": '<?xml version="1.0" encoding="UTF-8"?>\n<mrss>\n<channel>\n',
    "ical": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kbulk//rss bench//EN\r\n",
}[fmt]
tail = {"xml": "</channel>\n</mrss>\n", "ical": "END:VCALENDAR\r\n"}.get(fmt, "")
def rec(i):
    if fmt == "resource":
        # A name, a description and UTF-8 in the names: not the friendliest shape.
        parent = f",location,bâtiment-{i - i % 50}" if i % 50 else ",,"
        return f"1,Salle {i} été,location,bâtiment-{i},\"Room {i}, floor {i % 7}\"{parent}\n"
    if fmt == "entry":
        return f"Video {i},Lecture {i} of the course,https://cdn.example.com/v/{i}.mp4,video,réf-{i},\"a,b\"\n"
    if fmt == "xml":
        return (f"<item><action>add</action><type>1</type><referenceId>réf-{i}</referenceId>"
                f"<name>Video {i}</name><description>Lecture {i} of the course</description>"
                f"<media><mediaType>1</mediaType></media><contentAssets><content>"
                f"<urlContentResource url=\"https://cdn.example.com/v/{i}.mp4\"/></content>"
                f"</contentAssets></item>\n")
    d = 1 + i % 28
    return (f"BEGIN:VEVENT\r\nUID:event-{i}@example.org\r\nSUMMARY:Lecture {i}\r\n"
            f"DTSTART:202709{d:02}T080000Z\r\nDTEND:202709{d:02}T090000Z\r\n"
            f"LOCATION:Room {i % 97}\r\nEND:VEVENT\r\n")
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(head)
    n, i = len(head), 0
    while n < target:
        block = "".join(rec(j) for j in range(i, i + 10000))
        i += 10000
        f.write(block)
        n += len(block.encode())
    f.write(tail)
print(i)
PY
}

if [ "${1:-}" = --gen ]; then
    # benches/rss.sh --gen FORMAT MB FILE: only write the file (for profiles); prints records.
    gen "$2" "$3" "$4"
    exit 0
fi

# measure FILE-or-DIR ARGS...: prints "seconds peak_MiB exit"
measure() {
    local out
    out=$( { /usr/bin/time -v "$KBULK" check --format json --max-records 0 "$@" >/dev/null; } 2>&1 || true)
    local rss secs code cpu
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' <<<"$out")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' <<<"$out")
    secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' <<<"$out")
    code=$(sed -n 's/.*Exit status: //p' <<<"$out")
    awk -v r="$rss" -v t="$secs" -v c="$code" -v u="$cpu" 'BEGIN {
        n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i];
        printf "%.2f s | %.2f s | %.1f MiB | exit %s", s, u, r / 1024, c }'
}

[ -x "$KBULK" ] || { echo "build first: cargo build --release" >&2; exit 2; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $($KBULK --version)"
echo
echo "| format | size | records | wall time | CPU time (user+sys) | peak RSS | exit |"
echo "|---|---|---|---|---|---|---|"
for fmt in $FORMATS; do
    ext=$([ "$fmt" = xml ] && echo xml || { [ "$fmt" = ical ] && echo ics || echo csv; })
    for mb in "${SIZES[@]}"; do
        f="$DIR/kbulk-rss-$fmt-$mb.$ext"
        n=$(gen "$fmt" "$mb" "$f")
        size=$(du -m --apparent-size "$f" | cut -f1)
        echo "| $fmt | $size MiB | $n | $(measure "$f") |"
        rm -f "$f"
    done
done
if [ "${KBULK_RSS_SMALL:-0}" = 1 ]; then
    d="$DIR/kbulk-rss-small"
    mkdir -p "$d"
    python3 - "$d" <<'PY'
import sys
for k in range(10000):
    with open(f"{sys.argv[1]}/r{k:05}.csv", "w") as f:
        f.write("*action,name,type,systemName,description\n")
        f.write("".join(f"1,Room {i},location,f{k}-room-{i},Room {i}\n" for i in range(20)))
PY
    echo "| 10,000 small resource CSVs (20 rows each) | $(du -sm --apparent-size "$d" | cut -f1) MiB | 200000 | $(measure "$d") |"
    rm -rf "$d"
fi
