#!/usr/bin/env bash
# Starts a Samba Active Directory domain controller on loopback for the directory tests and prints
# the environment they read (HEADROOM_AD_URL=..., one per line, for `export`). Installs Debian's
# samba-ad-dc when missing, provisions a scratch domain (CORP.HEADROOM.TEST) in its own state
# directory with its own smb.conf, runs only the LDAP service bound to 127.0.0.1 (LDAPS on 636 with
# Samba's self-signed certificate; Samba's LDAP ports are fixed), and waits until LDAPS answers.
# Idempotent: a domain controller already started by this script is reused. stop-samba.sh stops
# exactly the process this script started (its pid file), nothing else.
set -euo pipefail

state_dir="${HEADROOM_SAMBA_STATE_DIR:-/tmp/headroom-ci-samba}"
realm="CORP.HEADROOM.TEST"
domain="CORP"
base_dn="DC=corp,DC=headroom,DC=test"
admin_password="${HEADROOM_SAMBA_ADMIN_PASSWORD:-Headroom-CI-Admin-1}"
marker="${state_dir}/started-by-headroom"
config="${state_dir}/etc/smb.conf"

log() { echo "[start-samba] $*" >&2; }

print_environment() {
  echo "HEADROOM_AD_URL=ldaps://127.0.0.1:636"
  echo "HEADROOM_AD_BIND_DN=CN=Administrator,CN=Users,${base_dn}"
  echo "HEADROOM_AD_BIND_PASSWORD=${admin_password}"
  echo "HEADROOM_AD_BASE_DN=${base_dn}"
  echo "HEADROOM_AD_DOMAIN=corp.headroom.test"
  echo "HEADROOM_AD_CA_FILE=${state_dir}/private/tls/ca.pem"
  echo "HEADROOM_AD_TLS_SERVER_NAME=dc1.corp.headroom.test"
}

ldaps_answers() {
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/636" 2>/dev/null && [[ -s "${state_dir}/private/tls/ca.pem" ]]
}

if [[ -f "${marker}" ]] && [[ -f "${state_dir}/run/samba.pid" ]] && kill -0 "$(cat "${state_dir}/run/samba.pid")" 2>/dev/null; then
  if ldaps_answers; then
    log "reusing the domain controller started earlier (pid $(cat "${state_dir}/run/samba.pid"))"
    print_environment
    exit 0
  fi
fi

if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/636" 2>/dev/null; then
  log "port 636 is taken by a process this script did not start; not starting Samba"
  exit 1
fi

if ! command -v samba >/dev/null 2>&1 || ! command -v samba-tool >/dev/null 2>&1; then
  log "installing samba-ad-dc from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind >/dev/null
fi

rm -rf "${state_dir}"
mkdir -p "${state_dir}/run" "${state_dir}/log"
log "provisioning ${realm} in ${state_dir}"
samba-tool domain provision \
  --realm="${realm}" --domain="${domain}" --server-role=dc --dns-backend=NONE \
  --adminpass="${admin_password}" --targetdir="${state_dir}" --host-name=dc1 --host-ip=127.0.0.1 \
  --option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
  --option="server services = ldap" --option="log file = ${state_dir}/log/samba.log" \
  --option="pid directory = ${state_dir}/run" --option="ncalrpc dir = ${state_dir}/run/ncalrpc" \
  --option="winbindd socket directory = ${state_dir}/run/winbindd" \
  >"${state_dir}/log/provision.log" 2>&1 || {
  log "provisioning failed; last lines of ${state_dir}/log/provision.log:"
  tail -20 "${state_dir}/log/provision.log" >&2
  exit 1
}
# The default password policy would reject nothing we set, but expiry and history only slow tests.
samba-tool domain passwordsettings set -s "${config}" --history-length=0 --min-pwd-age=0 --max-pwd-age=0 >/dev/null

printf 'state_dir=%s\n' "${state_dir}" >"${marker}"
samba -s "${config}" -D
log "waiting for LDAPS on 127.0.0.1:636"
for _ in $(seq 1 120); do
  if ldaps_answers; then
    log "ready (pid $(cat "${state_dir}/run/samba.pid"))"
    print_environment
    exit 0
  fi
  sleep 1
done
log "LDAPS did not answer within 120 s; last lines of the log:"
tail -20 "${state_dir}/log/samba.log" >&2 || true
bash "$(dirname "$0")/stop-samba.sh"
exit 1
