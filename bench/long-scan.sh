#!/usr/bin/env bash
# A real hour-long scan through the pipeline, with default settings, and an upload queued behind it:
#   [LIMIT_MINUTES=N] bench/long-scan.sh [OUT]   (default bench-out/long-scan; needs ../shared; 1-2 h on 2 cores)
# One worker. MobileNetV2 (224 px, window starts: 56-67 min on 2 cores) is uploaded first; once its scan has
# started, the shared 32x32 ResNet is uploaded behind it. Every 30 s the worker's health, its consumer group's
# members and the stored verdicts are logged to OUT/health-polls.txt, until both verdicts are stored.
# Before the fix of the worker's limits, the connector's 50-min unprocessed-record check failed the channel
# mid-scan: health DOWN, the group empty, the second upload never served.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/bench-out/long-scan}")"
SHARED="${DECREE_SHARED:-$ROOT/../shared}"
FIRST="$SHARED/encoders/mobilenet_v2_224.pt"
SECOND="$SHARED/architectures/resnet18_w16_32.pt"
rm -rf "$OUT"; mkdir -p "$OUT"

# LIMIT (default: the worker's own, 120m) raises the scan time limit where a default MobileNetV2 scan takes longer.
LIMIT=()
[ -n "${LIMIT_MINUTES:-}" ] && LIMIT=(--service-env "detector-worker:DECREE_WORKER_SCAN_TIMEOUT=${LIMIT_MINUTES}m")
"$ROOT/decree" up --dir "$OUT/stack-data" --follow "${LIMIT[@]}" > "$OUT/up.log" 2>&1 &
UP=$!
trap 'kill $UP 2>/dev/null; wait $UP 2>/dev/null || true' EXIT
until grep -q "dev-stack: ready" "$OUT/up.log"; do
  kill -0 $UP 2>/dev/null || { cat "$OUT/up.log"; exit 1; }
  sleep 2
done

sha() { sha256sum "$1" | cut -c1-64; }
verdict() { # the stored scan of an encoder (status verdict seconds), else where its scan is; nothing before registration
  curl -s -H "X-API-Key: $(cat "$OUT/stack-data/api-key" 2>/dev/null)" "http://127.0.0.1:18081/api/encoders/$1" | python3 -c 'import json,sys
try:
    d=json.load(sys.stdin)
    if d["scans"]: s=d["scans"][0]; print(s["status"], s.get("verdict"), s.get("seconds"))
    elif d.get("progress"): p=d["progress"]; print("(scanning: %s step %d, best PL1 %s, %.0f s)" % (p["phase"], p["step"], p.get("bestPl1"), p["elapsedSeconds"]))
    else: print("(%s)" % d["state"])
except Exception: pass'
}
# The consumer group's member count, with the Kafka client the stack ships (a single-file Java program).
cat > "$OUT/Members.java" <<'JAVA'
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
public class Members {
    public static void main(String[] a) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", a[0]))) {
            System.out.println("MEMBERS " + admin.describeConsumerGroups(List.of(a[1])).all().get().get(a[1]).members().size());
        }
    }
}
JAVA
members() {
  java -cp "$ROOT/dev-stack/target/lib/*" "$OUT/Members.java" 127.0.0.1:19092 decree-detector-workers 2>/dev/null \
    | sed -n 's/^MEMBERS //p' | grep . || echo "?"
}

"$ROOT/decree" submit "$FIRST" --stack-dir "$OUT/stack-data" --images photos --wait PT2H > "$OUT/submit-first.log" 2>&1 &
until grep -q "$(sha "$FIRST") (mobilenet_v2_224.pt) started" "$OUT/stack-data/logs/detector-worker.log" 2>/dev/null; do sleep 2; done
"$ROOT/decree" submit "$SECOND" --stack-dir "$OUT/stack-data" --images photos --wait PT3H > "$OUT/submit-second.log" 2>&1 &

T0=$(date +%s)
while :; do
  H=$(curl -s -o "$OUT/health.json" -w '%{http_code}' http://127.0.0.1:18082/q/health || true)
  STATUS=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[c for c in d["checks"] if c["name"]=="scans"]; print(d["status"], "in-flight", s[0]["data"]["in-flight"] if s else "?")' "$OUT/health.json" 2>/dev/null || echo "unreadable")
  A=$(verdict "$(sha "$FIRST")"); B=$(verdict "$(sha "$SECOND")")
  printf '%5d s  HTTP %s  %s  group members %s  mobilenet: %s  resnet: %s\n' $(( $(date +%s) - T0 )) "$H" "$STATUS" \
    "$(members)" "${A:-waiting}" "${B:-waiting}" | tee -a "$OUT/health-polls.txt"
  case "$B" in completed*|failed*) break;; esac
  sleep 30
done
grep -h "VERDICT\|ALERT" "$OUT/up.log" | tee "$OUT/verdicts.txt"
