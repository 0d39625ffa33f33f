#!/usr/bin/env bash
# Starts a real OpenStack test stack on 127.0.0.1 from Debian's packages: Keystone (5000), Nova API (8774)
# with conductor, scheduler and a compute service on the fake virt driver, Placement (8778), Glance (9292)
# and a Neutron stub (9696), on MariaDB and RabbitMQ.
#
# - Idempotent: when the stack recorded in the state folder still answers, it prints its env and exits.
# - Installs the packages with apt when missing (init scripts are kept from starting them).
# - Starts MariaDB / RabbitMQ only when none answers, and records that, so stop-openstack.sh stops only
#   what this script started (by PID, including epmd).
# - All state (configs, logs, PIDs, keys, images) lives in OPENSTACK_STATE_DIR (default /tmp/headroom-openstack);
#   databases are named hros_* and RabbitMQ has its own user and vhost, recreated on each fresh start.
#
# Prints the test environment (HEADROOM_TEST_OPENSTACK_URL=... one per line) on stdout; logs go to stderr.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${OPENSTACK_STATE_DIR:-/tmp/headroom-openstack}"
pids="${state}/pids"
python=/usr/bin/python3
db_password=hros-db-secret
service_password=headroom-service-secret
started_at=$(date +%s)

log() { echo "[start-openstack $(( $(date +%s) - started_at ))s] $*" >&2; }
trap 'log "failed (line ${LINENO}); logs are in ${state}/logs"' ERR

wait_for() { # name, seconds, command...
  local name="$1" seconds="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) > deadline )); then log "${name} did not become ready in ${seconds}s; see ${state}/logs"; exit 1; fi
    sleep 0.5
  done
  log "${name} ready"
}

http_ok() { curl -fsS -o /dev/null --max-time 5 "$1"; }

if [[ -f "${state}/env" && -f "${pids}/nova-compute.pid" ]] && http_ok http://127.0.0.1:5000/v3 \
  && http_ok http://127.0.0.1:8774/ && kill -0 "$(cat "${pids}/nova-compute.pid")" 2>/dev/null; then
  log "stack in ${state} already answers"
  cat "${state}/env"
  exit 0
fi
if [[ -d "${pids}" ]]; then bash "${here}/stop-openstack.sh" >&2 || true; fi

# --- packages ---------------------------------------------------------------------------------------
packages=(keystone nova-api nova-conductor nova-scheduler python3-nova placement-api glance-api
  python3-pymysql uwsgi-plugin-python3 mariadb-server mariadb-client rabbitmq-server curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed" || missing+=("${package}")
done
mysql_was_up=no; rabbit_was_up=no; epmd_was_up=no
mysqladmin ping >/dev/null 2>&1 && mysql_was_up=yes
rabbitmqctl -q status >/dev/null 2>&1 && rabbit_was_up=yes
pgrep -x epmd >/dev/null && epmd_was_up=yes
if (( ${#missing[@]} > 0 )); then
  log "installing ${missing[*]}"
  # Keep the packages' init scripts from starting daemons with /etc configs on our ports.
  policy_created=no
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_created=yes
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > "${TMPDIR:-/tmp}/headroom-openstack-apt.log" 2>&1 \
    || { tail -20 "${TMPDIR:-/tmp}/headroom-openstack-apt.log" >&2; exit 1; }
  if [[ "${policy_created}" == yes ]]; then rm -f /usr/sbin/policy-rc.d; fi
  log "packages installed"
fi

rm -rf "${state}"
mkdir -p "${pids}" "${state}/logs" "${state}/fernet-keys" "${state}/credential-keys" "${state}/placement" \
  "${state}/nova/instances" "${state}/lock" "${state}/glance/images" "${state}/glance/staging" "${state}/glance/tasks"
chmod 700 "${state}/fernet-keys" "${state}/credential-keys"

# --- MariaDB and RabbitMQ (only when none runs) --------------------------------------------------------
if ! mysqladmin ping >/dev/null 2>&1; then
  log "starting MariaDB"
  /etc/init.d/mariadb start >&2 < /dev/null
  [[ "${mysql_was_up}" == no ]] && touch "${state}/started-mariadb"
elif [[ "${mysql_was_up}" == no ]]; then
  touch "${state}/started-mariadb" # started by its package's postinst during our install
fi
wait_for MariaDB 60 mysqladmin ping
sql="CREATE USER IF NOT EXISTS 'hros'@'localhost' IDENTIFIED BY '${db_password}';
CREATE USER IF NOT EXISTS 'hros'@'127.0.0.1' IDENTIFIED BY '${db_password}';"
for db in keystone nova_api nova nova_cell0 placement glance; do
  sql+="DROP DATABASE IF EXISTS hros_${db}; CREATE DATABASE hros_${db};
GRANT ALL ON hros_${db}.* TO 'hros'@'localhost'; GRANT ALL ON hros_${db}.* TO 'hros'@'127.0.0.1';"
done
mysql -e "${sql}" >&2

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  log "starting RabbitMQ"
  setsid rabbitmq-server > "${state}/logs/rabbitmq.log" 2>&1 < /dev/null &
  echo $! > "${pids}/rabbitmq.pid"
  touch "${state}/started-rabbitmq"
  wait_for RabbitMQ 90 rabbitmqctl -q status
elif [[ "${rabbit_was_up}" == no ]]; then
  touch "${state}/started-rabbitmq"
fi
if [[ "${epmd_was_up}" == no ]] && pgrep -x epmd >/dev/null; then pgrep -x epmd > "${pids}/epmd.pid"; fi
# The broker user and vhost (only the nova services need them) are made in the background.
prepare_rabbit() {
  rabbitmqctl -q delete_vhost hros >/dev/null 2>&1 || true
  rabbitmqctl -q delete_user hros >/dev/null 2>&1 || true
  rabbitmqctl -q add_vhost hros >/dev/null
  rabbitmqctl -q add_user hros "${db_password}" >/dev/null
  rabbitmqctl -q set_permissions -p hros hros ".*" ".*" ".*" >/dev/null
}
prepare_rabbit &
rabbit_job=$!
transport="rabbit://hros:${db_password}@127.0.0.1:5672/hros"
db() { echo "mysql+pymysql://hros:${db_password}@127.0.0.1/hros_$1"; }

authtoken() { # username, service_type
  cat <<CONF
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:5000/
auth_url = http://127.0.0.1:5000/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = ${service_password}
service_type = $2
CONF
}
service_auth() { # section, username
  cat <<CONF
[$1]
auth_url = http://127.0.0.1:5000/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = ${service_password}
region_name = RegionOne
CONF
}

# --- Keystone ---------------------------------------------------------------------------------------------
cat > "${state}/keystone.conf" <<CONF
[DEFAULT]
log_file = ${state}/logs/keystone.log
[database]
connection = $(db keystone)
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = ${state}/fernet-keys
[fernet_receipts]
key_repository = ${state}/fernet-keys
[credential]
key_repository = ${state}/credential-keys
CONF
# --- Placement, Glance, Nova configs --------------------------------------------------------------
{
  printf '[DEFAULT]\nlog_file = %s\n[placement_database]\nconnection = %s\n[api]\nauth_strategy = keystone\n' \
    "${state}/logs/placement.log" "$(db placement)"
  authtoken placement placement
} > "${state}/placement/placement.conf"

{
  cat <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
log_file = ${state}/logs/glance-api.log
enabled_backends = file:file
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = ${state}/glance/images
[os_glance_staging_store]
filesystem_store_datadir = ${state}/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = ${state}/glance/tasks
[database]
connection = $(db glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = ${state}/lock
CONF
  authtoken glance image
} > "${state}/glance-api.conf"

{
  cat <<CONF
[DEFAULT]
transport_url = ${transport}
compute_driver = fake.FakeDriver
host = headroom-fake-compute
my_ip = 127.0.0.1
# The fake host has 8 vCPUs and 8000 MB; room for ≈60 servers of the 512 MB test flavor.
initial_ram_allocation_ratio = 4.0
state_path = ${state}/nova
instances_path = ${state}/nova/instances
enabled_apis = osapi_compute
graceful_shutdown_timeout = 5
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
[api]
auth_strategy = keystone
[api_database]
connection = $(db nova_api)
[database]
connection = $(db nova)
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2
[oslo_concurrency]
lock_path = ${state}/lock
[oslo_messaging_notifications]
driver = noop
[glance]
region_name = RegionOne
CONF
  authtoken nova compute
  service_auth placement nova
  service_auth neutron nova
  service_auth service_user nova
  printf 'send_service_user_token = true\n'
} > "${state}/nova.conf"

# --- Database migrations in the background, while Keystone comes up (they need only MariaDB) -----
nova_manage() { nova-manage --config-file "${state}/nova.conf" "$@" >> "${state}/logs/nova-manage.log" 2>&1; }
migrate_nova() {
  nova_manage api_db sync
  nova_manage cell_v2 map_cell0 --database_connection "$(db nova_cell0)"
  nova_manage cell_v2 create_cell --name=cell1
  nova_manage db sync
}
placement-manage --config-dir "${state}/placement" db sync > "${state}/logs/placement-manage.log" 2>&1 &
placement_job=$!
glance-manage --config-file "${state}/glance-api.conf" db_sync > "${state}/logs/glance-manage.log" 2>&1 &
glance_job=$!
migrate_nova &
nova_job=$!
finish() { # name, background job: fails the script when the job failed
  wait "$2" || { log "$1 failed; see ${state}/logs"; exit 1; }
  log "$1 done"
}

# --- Keystone -----------------------------------------------------------------------------------------------
# The manage commands log to stdout; keep it for the env lines only.
keystone_manage() { keystone-manage --config-file "${state}/keystone.conf" "$@" >> "${state}/logs/keystone-manage.log" 2>&1; }
keystone_manage db_sync
keystone_manage fernet_setup --keystone-user root --keystone-group root
keystone_manage credential_setup --keystone-user root --keystone-group root
keystone_manage bootstrap --bootstrap-password headroom-admin-secret \
  --bootstrap-admin-url http://127.0.0.1:5000/v3/ --bootstrap-internal-url http://127.0.0.1:5000/v3/ \
  --bootstrap-public-url http://127.0.0.1:5000/v3/ --bootstrap-region-id RegionOne
OS_KEYSTONE_CONFIG_FILES="${state}/keystone.conf" setsid uwsgi --plugin python3 --http11-socket 127.0.0.1:5000 \
  --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 2 --threads 1 --die-on-term --need-app \
  > "${state}/logs/keystone-uwsgi.log" 2>&1 < /dev/null &
echo $! > "${pids}/keystone.pid"
wait_for Keystone 60 http_ok http://127.0.0.1:5000/v3

# The Neutron stub must be in the catalog before any nova service starts (they cache the catalog).
setsid "${python}" "${here}/fake-neutron.py" 9696 > "${state}/logs/fake-neutron.log" 2>&1 < /dev/null &
echo $! > "${pids}/fake-neutron.pid"
"${python}" "${here}/bootstrap-stack.py" catalog "${state}" >&2
log "catalog registered"

# --- Placement, Glance, Nova ----------------------------------------------------------------------------------
finish "placement db sync" "${placement_job}"
OS_PLACEMENT_CONFIG_DIR="${state}/placement" setsid uwsgi --plugin python3 --http11-socket 127.0.0.1:8778 \
  --wsgi-file /usr/bin/placement-api --master --processes 1 --threads 2 --die-on-term --need-app \
  > "${state}/logs/placement-uwsgi.log" 2>&1 < /dev/null &
echo $! > "${pids}/placement.pid"
finish "glance db sync" "${glance_job}"
setsid glance-api --config-file "${state}/glance-api.conf" > "${state}/logs/glance-api.out" 2>&1 < /dev/null &
echo $! > "${pids}/glance-api.pid"
finish "nova databases" "${nova_job}"
finish "RabbitMQ user and vhost" "${rabbit_job}"
for service in api conductor scheduler; do
  setsid "nova-${service}" --config-file "${state}/nova.conf" --log-file "${state}/logs/nova-${service}.log" \
    > "${state}/logs/nova-${service}.out" 2>&1 < /dev/null &
  echo $! > "${pids}/nova-${service}.pid"
done
setsid "${python}" -c 'import sys; from nova.cmd.compute import main; sys.argv = ["nova-compute"] + sys.argv[1:]; main()' \
  --config-file "${state}/nova.conf" --log-file "${state}/logs/nova-compute.log" \
  > "${state}/logs/nova-compute.out" 2>&1 < /dev/null &
echo $! > "${pids}/nova-compute.pid"

wait_for Placement 60 http_ok http://127.0.0.1:8778/
wait_for Glance 90 http_ok http://127.0.0.1:9292/
wait_for "Nova API" 120 http_ok http://127.0.0.1:8774/
compute_mapped() { nova_manage cell_v2 discover_hosts \
  && mysql -N -e "SELECT host FROM hros_nova_api.host_mappings" | grep -q headroom-fake-compute; }
wait_for "nova-compute (mapped to cell1)" 120 compute_mapped
provider_ready() { mysql -N -e "SELECT COUNT(*) FROM hros_placement.resource_providers" | grep -qv '^0$'; }
wait_for "compute resource provider" 60 provider_ready
"${python}" "${here}/bootstrap-stack.py" resources "${state}" >&2
log "stack ready in $(( $(date +%s) - started_at ))s"
cat "${state}/env"
