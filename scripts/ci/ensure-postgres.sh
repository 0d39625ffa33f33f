#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on HEADROOM_PG_HOST:HEADROOM_PG_PORT (default 127.0.0.1:5432)
# for the tests, with trust authentication for the user `postgres`.
#
# - If one already answers, nothing is started and nothing is recorded: stop-postgres.sh will leave it alone.
# - Otherwise Debian's `postgresql` package is installed with apt when no server binaries exist, a
#   throwaway cluster is created with initdb in HEADROOM_PG_STATE_DIR (default
#   /tmp/headroom-ci-postgres-<port>) and started with pg_ctl, listening on the host and port only.
#   A marker file there lets stop-postgres.sh stop exactly this server.
#
# Prints the URL tests should use: HEADROOM_TEST_POSTGRES_URL=postgres://postgres@<host>:<port>/postgres
set -euo pipefail

host="${HEADROOM_PG_HOST:-127.0.0.1}"
port="${HEADROOM_PG_PORT:-5432}"
state_dir="${HEADROOM_PG_STATE_DIR:-/tmp/headroom-ci-postgres-${port}}"
marker="${state_dir}/started-by-headroom"
url="postgres://postgres@${host}:${port}/postgres"

log() { echo "[ensure-postgres] $*" >&2; }

find_bin_dir() {
  local candidate
  candidate="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "${candidate}" && -x "${candidate}/initdb" ]]; then echo "${candidate}"; fi
}

answers() {
  local bin_dir="$1"
  if [[ -n "${bin_dir}" ]]; then
    "${bin_dir}/pg_isready" -q -h "${host}" -p "${port}"
  elif command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "${host}" -p "${port}"
  else
    return 1
  fi
}

# Runs a command as the cluster owner: `postgres` when we are root (initdb refuses root), else ourselves.
as_owner() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir="$(find_bin_dir)"
if answers "${bin_dir}"; then
  log "PostgreSQL already answers on ${host}:${port}; not starting one"
  echo "HEADROOM_TEST_POSTGRES_URL=${url}"
  exit 0
fi

if [[ -z "${bin_dir}" ]]; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin_dir="$(find_bin_dir)"
  if [[ -z "${bin_dir}" ]]; then
    log "postgresql was installed but no server binaries were found under /usr/lib/postgresql"
    exit 1
  fi
  if answers "${bin_dir}"; then
    # The package started its default cluster on this port: that is ours to stop too.
    version="$(basename "$(dirname "${bin_dir}")")"
    mkdir -p "${state_dir}"
    printf 'mode=pg_ctlcluster\nversion=%s\ncluster=main\n' "${version}" >"${marker}"
    log "the package started cluster ${version}/main on ${host}:${port}"
    echo "HEADROOM_TEST_POSTGRES_URL=${url}"
    exit 0
  fi
fi

data_dir="${state_dir}/data"
mkdir -p "${state_dir}"
if [[ "$(id -u)" == "0" ]]; then chown postgres:postgres "${state_dir}"; fi

if [[ ! -f "${data_dir}/PG_VERSION" ]]; then
  log "creating a cluster in ${data_dir}"
  as_owner "${bin_dir}/initdb" -D "${data_dir}" --username=postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
fi
# Written before the start, so that a half-started server is still stopped by stop-postgres.sh.
printf 'mode=pg_ctl\nbin_dir=%s\ndata_dir=%s\n' "${bin_dir}" "${data_dir}" >"${marker}"

log "starting PostgreSQL on ${host}:${port}"
as_owner "${bin_dir}/pg_ctl" -D "${data_dir}" -l "${state_dir}/server.log" -w -t 60 \
  -o "-c listen_addresses=${host} -p ${port} -k ${state_dir} -c fsync=off" start >/dev/null

for _ in $(seq 1 60); do
  if answers "${bin_dir}"; then
    if ! "${bin_dir}/psql" -qtA -h "${host}" -p "${port}" -U postgres -d postgres \
      -c "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
      "${bin_dir}/createdb" -h "${host}" -p "${port}" -U postgres test
    fi
    log "PostgreSQL answers on ${host}:${port} (started by this script; stop with scripts/ci/stop-postgres.sh)"
    echo "HEADROOM_TEST_POSTGRES_URL=${url}"
    exit 0
  fi
  sleep 1
done
log "PostgreSQL did not answer on ${host}:${port}; see ${state_dir}/server.log"
exit 1
