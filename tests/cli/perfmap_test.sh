#!/usr/bin/env bash
# --perfmap: /tmp/perf-PID.map names every compiled block, one well-formed line
# each ("START SIZE guest RIP cplN NNbit", hex), the guest's entry point among
# them; without the option no map is written.
set -u
orcvm="$1"
guest="$2"
failures=0
fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

"$orcvm" --tier=jit --perfmap --stats "$guest" >/dev/null 2>/tmp/perfmap_test.$$ &
pid=$!
wait $pid
map=/tmp/perf-$pid.map
compiled=$(awk '/blocks compiled/ {print $3}' /tmp/perfmap_test.$$)
rm -f /tmp/perfmap_test.$$
if [ ! -s "$map" ]; then
  fail "no map at $map"
else
  lines=$(wc -l <"$map")
  [ "$lines" = "$compiled" ] || fail "$lines lines for $compiled compiled blocks"
  bad=$(grep -cvE '^[0-9a-f]+ [0-9a-f]+ guest 0x[0-9a-f]+ cpl[0-3] (16|32|64)bit$' "$map")
  [ "$bad" = 0 ] || fail "$bad malformed lines: $(grep -vE '^[0-9a-f]+ [0-9a-f]+ guest' "$map" | head -3)"
  entry=$(readelf -h "$guest" | awk '/Entry point/ {print $4}')
  grep -q " guest $entry " "$map" || fail "the entry point $entry is not named"
  rm -f "$map"
fi

"$orcvm" --tier=jit "$guest" >/dev/null 2>&1 &
pid=$!
wait $pid
[ ! -e /tmp/perf-$pid.map ] || { fail "a map without --perfmap"; rm -f /tmp/perf-$pid.map; }

[ "$failures" -eq 0 ] && echo "perfmap: all checks passed"
exit $((failures > 0))
