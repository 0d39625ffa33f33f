#!/usr/bin/env bash
# Stops the PostgreSQL server that ensure-postgres.sh started for HEADROOM_PG_PORT (default 5432), and
# only that one: without the marker file ensure-postgres.sh writes, it does nothing.
set -euo pipefail

port="${HEADROOM_PG_PORT:-5432}"
state_dir="${HEADROOM_PG_STATE_DIR:-/tmp/headroom-ci-postgres-${port}}"
marker="${state_dir}/started-by-headroom"

log() { echo "[stop-postgres] $*" >&2; }

if [[ ! -f "${marker}" ]]; then
  log "no server was started by ensure-postgres.sh on port ${port}; leaving PostgreSQL alone"
  exit 0
fi

mode="$(sed -n 's/^mode=//p' "${marker}")"
case "${mode}" in
  pg_ctl)
    bin_dir="$(sed -n 's/^bin_dir=//p' "${marker}")"
    data_dir="$(sed -n 's/^data_dir=//p' "${marker}")"
    if [[ -f "${data_dir}/postmaster.pid" ]]; then
      log "stopping the server in ${data_dir}"
      if [[ "$(id -u)" == "0" ]]; then
        runuser -u postgres -- "${bin_dir}/pg_ctl" -D "${data_dir}" -m fast -w -t 60 stop >/dev/null
      else
        "${bin_dir}/pg_ctl" -D "${data_dir}" -m fast -w -t 60 stop >/dev/null
      fi
    fi
    rm -rf "${state_dir}"
    ;;
  pg_ctlcluster)
    version="$(sed -n 's/^version=//p' "${marker}")"
    cluster="$(sed -n 's/^cluster=//p' "${marker}")"
    log "stopping cluster ${version}/${cluster}"
    pg_ctlcluster "${version}" "${cluster}" stop
    rm -f "${marker}"
    rmdir "${state_dir}" 2>/dev/null || true
    ;;
  *)
    log "unknown marker ${marker}; leaving PostgreSQL alone"
    exit 1
    ;;
esac
log "stopped"
