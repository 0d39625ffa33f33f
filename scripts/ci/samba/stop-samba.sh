#!/usr/bin/env bash
# Stops the Samba domain controller that start-samba.sh started, and only that one: without the
# marker file start-samba.sh writes, it does nothing. Removes the scratch domain.
set -euo pipefail

state_dir="${HEADROOM_SAMBA_STATE_DIR:-/tmp/headroom-ci-samba}"
marker="${state_dir}/started-by-headroom"
pid_file="${state_dir}/run/samba.pid"

log() { echo "[stop-samba] $*" >&2; }

if [[ ! -f "${marker}" ]]; then
  log "no domain controller was started by start-samba.sh in ${state_dir}; leaving Samba alone"
  exit 0
fi
if [[ -f "${pid_file}" ]]; then
  pid="$(cat "${pid_file}")"
  if kill -0 "${pid}" 2>/dev/null; then
    log "stopping samba (pid ${pid})"
    kill -TERM "${pid}"
    for _ in $(seq 1 30); do
      kill -0 "${pid}" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "${pid}" 2>/dev/null; then
      log "samba (pid ${pid}) did not stop in 30 s; killing its process group"
      kill -KILL -- "-$(ps -o pgid= -p "${pid}" | tr -d ' ')" 2>/dev/null || kill -KILL "${pid}" || true
    fi
  fi
fi
rm -rf "${state_dir}"
log "stopped"
