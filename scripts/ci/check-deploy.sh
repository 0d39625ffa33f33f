#!/usr/bin/env bash
# Exercises the deploy artifacts as far as a machine without a container runtime or registry allows:
#  1. `systemd-analyze verify` on deploy/systemd/headroom.service;
#  2. `promtool check rules` on the example alerts (Debian's prometheus, installed if missing);
#  3. the bundle the Dockerfile copies (scripts/deploy-bundle.sh: `pnpm deploy --prod` and the adapters)
#     runs `headroom run` as an unprivileged user (nobody): /healthz, /readyz and /metrics answer
#     (`promtool check metrics` on the output), SIGHUP reloads, SIGTERM exits 0.
# The image itself is not built here: no registry is reachable for the node base image.
# Needs a built tree (`pnpm build`). Starts one process and stops it; removes its temporary files.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PNPM="npx -y pnpm@10.34.9"
WORK=$(mktemp -d /tmp/headroom-deploy-XXXXXX)
chmod 755 "$WORK"
SERVICE_PID=""
cleanup() {
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then kill -KILL "$SERVICE_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "check-deploy: $*" >&2; exit 1; }

echo "== systemd-analyze verify"
# The unit's ExecStart names /usr/bin/node; verify a copy naming this machine's node.
sed "s#/usr/bin/node#$(command -v node)#" deploy/systemd/headroom.service >"$WORK/headroom.service"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$WORK/headroom.service" || fail "ExecReload must send SIGHUP"
systemd-analyze verify "$WORK/headroom.service"

echo "== promtool"
if ! command -v promtool >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts a server; this script wants only the tool.
  (systemctl stop prometheus prometheus-node-exporter 2>/dev/null || true)
fi
promtool check rules deploy/prometheus/headroom-alerts.yaml

echo "== pnpm deploy bundle"
PNPM="$PNPM" bash scripts/deploy-bundle.sh "$WORK/bundle"
for adapter in provider-aws provider-vsphere store-sqlite store-postgres; do
  [ -d "$WORK/bundle/node_modules/@headroom/$adapter/dist" ] || fail "bundle lacks @headroom/$adapter"
done
cat >"$WORK/headroom.yaml" <<'YAML'
providers:
  local: { type: fake, maxInstances: 2 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: local, standby: { cores: 4, memoryMb: 4096 }, agent: { cores: 4, memoryMb: 8192 } }
scaler: { intervalSeconds: 1 }
api: { listen: "127.0.0.1:0", publicReadOnly: true }
YAML
# The adapters in the bundle load: `validate` checks an AWS and a vSphere entry with their own schemas.
cat >"$WORK/adapters.yaml" <<'YAML'
providers:
  aws-east: { type: aws, region: us-east-1, amiId: ami-0123456789abcdef0, instanceType: m6i.xlarge, subnetId: subnet-0123456789abcdef0, maxInstances: 2 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: aws-east, agent: { cores: 4, memoryMb: 8192 } }
YAML
node "$WORK/bundle/dist/cli.js" validate --config "$WORK/adapters.yaml" || fail "the bundle cannot load the AWS adapter"
sed -i 's/subnetId: subnet-0123456789abcdef0/subnetId: 42/' "$WORK/adapters.yaml"
if node "$WORK/bundle/dist/cli.js" validate --config "$WORK/adapters.yaml" >/dev/null 2>&1; then
  fail "the bundle's AWS adapter did not check its fields"
fi
mkdir -p "$WORK/state" && chown nobody "$WORK/state"
chmod 644 "$WORK/headroom.yaml"
# As nobody, from the bundle only (no workspace on the module path), config and listen from the environment.
(cd "$WORK" && exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
  env -i PATH="$PATH" HOME="$WORK" HEADROOM_CONFIG="$WORK/headroom.yaml" HEADROOM_STATE_DIR="$WORK/state" \
  HEADROOM_LISTEN=127.0.0.1:0 node "$WORK/bundle/dist/cli.js" run >"$WORK/log" 2>&1) &
SERVICE_PID=$!
address=""
for _ in $(seq 1 100); do
  address=$(node -e 'const fs=require("fs");for(const l of fs.readFileSync(process.argv[1],"utf8").split("\n")){try{const e=JSON.parse(l);if(e.msg==="headroom run started"){console.log(e.api);break}}catch{}}' "$WORK/log" || true)
  [ -n "$address" ] && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$WORK/log"; fail "headroom run exited"; }
  sleep 0.2
done
[ -n "$address" ] || { cat "$WORK/log"; fail "headroom run did not start"; }
owner=$(ps -o user= -p "$(pgrep -P "$SERVICE_PID" -x node || echo "$SERVICE_PID")" | tr -d ' ')
[ "$owner" = "nobody" ] || fail "runs as $owner, not nobody"
curl -fsS "$address/healthz" >/dev/null
ready=""
for _ in $(seq 1 50); do
  if curl -fsS "$address/readyz" >/dev/null 2>&1; then ready=yes; break; fi
  sleep 0.2
done
[ -n "$ready" ] || fail "/readyz never answered 200"
curl -fsS "$address/metrics" >"$WORK/metrics.txt"
# prom-client's own default gauges nodejs_active_*_total carry a `_total` suffix promtool lints;
# every other finding fails the check.
findings=$(promtool check metrics <"$WORK/metrics.txt" 2>&1 | grep -v '^nodejs_active_[a-z]*_total non-counter' || true)
[ -z "$findings" ] || fail "promtool check metrics: $findings"
grep -q '^headroom_build_info{' "$WORK/metrics.txt" || fail "no headroom_build_info"
curl -fsS "$address/api/v1/openapi.json" | node -e 'let t="";process.stdin.on("data",c=>t+=c).on("end",()=>{if(JSON.parse(t).openapi!=="3.1.0")process.exit(1)})'
node_pid=$(pgrep -P "$SERVICE_PID" -x node || echo "$SERVICE_PID")
kill -HUP "$node_pid"
for _ in $(seq 1 50); do grep -q '"config reloaded"' "$WORK/log" && break; sleep 0.2; done
grep -q '"config reloaded"' "$WORK/log" || { cat "$WORK/log"; fail "SIGHUP did not reload"; }
kill -TERM "$node_pid"
status=0
wait "$SERVICE_PID" || status=$?
SERVICE_PID=""
[ "$status" = 0 ] || { cat "$WORK/log"; fail "exit $status after SIGTERM"; }
echo "check-deploy: ok (systemd unit, alert rules, bundle run as nobody: health, readiness, metrics, reload, stop)"
