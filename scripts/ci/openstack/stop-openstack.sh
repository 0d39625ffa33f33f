#!/usr/bin/env bash
# Stops what start-openstack.sh started, by the PIDs it recorded in OPENSTACK_STATE_DIR (default
# /tmp/headroom-openstack): the OpenStack services, and MariaDB / RabbitMQ / epmd only when that script
# started them. Drops the hros_* databases and the RabbitMQ user/vhost it created. Idempotent; keeps logs.
set -uo pipefail

state="${OPENSTACK_STATE_DIR:-/tmp/headroom-openstack}"
pids="${state}/pids"
log() { echo "[stop-openstack] $*" >&2; }

[[ -d "${state}" ]] || { log "nothing recorded in ${state}"; exit 0; }

# Each service was started with setsid, so its PID is its process group: TERM every group, give
# them 10 s together, then KILL what is left.
stop_groups() {
  local file pid stopping=()
  for file in "$@"; do
    pid="$(cat "${file}" 2>/dev/null)" || continue
    if [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null; then
      kill -TERM -- "-${pid}" 2>/dev/null || kill -TERM "${pid}" 2>/dev/null
      stopping+=("${pid}:$(basename "${file}" .pid)")
    fi
    rm -f "${file}"
  done
  for _ in $(seq 1 40); do
    local alive=0 entry
    for entry in "${stopping[@]}"; do kill -0 "${entry%%:*}" 2>/dev/null && alive=1; done
    (( alive == 0 )) && break
    sleep 0.25
  done
  for entry in "${stopping[@]}"; do
    kill -KILL -- "-${entry%%:*}" 2>/dev/null || true
    log "stopped ${entry#*:} (${entry%%:*})"
  done
}

services=()
for service in nova-compute nova-api nova-conductor nova-scheduler glance-api placement keystone fake-neutron; do
  services+=("${pids}/${service}.pid")
done
stop_groups "${services[@]}"

if [[ -f "${state}/started-rabbitmq" ]]; then
  rabbitmqctl -q stop >/dev/null 2>&1 || true
  [[ -f "${pids}/rabbitmq.pid" ]] && stop_groups "${pids}/rabbitmq.pid"
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q rabbitmq-server 2>/dev/null; then
    systemctl stop rabbitmq-server || true
  fi
  rm -f "${state}/started-rabbitmq"
  log "stopped RabbitMQ"
elif rabbitmqctl -q status >/dev/null 2>&1; then
  rabbitmqctl -q delete_vhost hros >/dev/null 2>&1 || true
  rabbitmqctl -q delete_user hros >/dev/null 2>&1 || true
fi
if [[ -f "${pids}/epmd.pid" ]]; then
  pid="$(cat "${pids}/epmd.pid")"
  kill "${pid}" 2>/dev/null && log "stopped epmd (${pid})"
  rm -f "${pids}/epmd.pid"
fi

if mysqladmin ping >/dev/null 2>&1; then
  mysql -e "$(for db in keystone nova_api nova nova_cell0 placement glance; do printf 'DROP DATABASE IF EXISTS hros_%s;' "${db}"; done)
DROP USER IF EXISTS 'hros'@'localhost'; DROP USER IF EXISTS 'hros'@'127.0.0.1';" || true
fi
if [[ -f "${state}/started-mariadb" ]]; then
  /etc/init.d/mariadb stop >&2 || true
  rm -f "${state}/started-mariadb"
  log "stopped MariaDB"
fi
find "${state}" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
exit 0
