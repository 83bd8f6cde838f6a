#!/bin/bash
# The EC2 source bootstrap rehearsed the way its host runs it (test/bootstrap/bootstrap.test.ts runs this):
#   unshare --mount --pid --fork --mount-proc --net --propagation private bash rehearse.sh WORK SCENARIO
# as root. Inside the new namespaces, /etc (a copy), /opt, /var/lib, /var/log and /root are folders of WORK/host,
# /run is a fresh tmpfs, and the loopback carries the instance's private address. The user data runs as cloud-init
# runs it (root, bash, a bare environment); the server is the real MariaDB started as user mysql by the fake
# systemctl. Only dnf, rpm, systemctl, aws and curl (IMDS, the key download) are fakes (fakes/). strace records
# the argv of every program each phase runs.
#
# Scenarios:
#   full        first boot; reboot (/run emptied, server restarted) and a re-run; a re-run whose secret write
#               fails; a re-run whose server crashes between the secret write and MySQL
#   first-boot  first boot only (for a deliberately broken render, or a key that does not match)
# Results, per phase, in WORK/results (read by the test): exit status, server variables, plugin, grants, rows,
# file modes, the stored secret, which stored secret versions log in, and every command line run (strace execve).
set -euo pipefail
W=$1
scenario=$2
here=$(cd "$(dirname "$0")" && pwd)
export FAKE_STATE=$W/state FAKE_LOCAL_IPV4=10.10.0.10 FAKE_GPG_KEY=$W/gpg-key.asc
R=$W/results
mkdir -p "$FAKE_STATE" "$R"

# Network: loopback, with the private address IMDS reports, so DMS-style logins go over TCP to that address.
ip link set lo up
ip addr add "$FAKE_LOCAL_IPV4/32" dev lo

# Filesystem: the host's writable paths, private to this namespace.
mkdir -p "$W/host/etc" "$W/host/opt" "$W/host/var/lib" "$W/host/var/log" "$W/host/root"
cp -a /etc/. "$W/host/etc/"
mount --bind "$W/host/etc" /etc
# Amazon Linux 2023 has no Debian MariaDB configuration: the server reads /etc/my.cnf and its !includedir only.
if [ -e /etc/mysql/my.cnf ]; then : >/etc/mysql/my.cnf; fi
rm -rf /etc/my.cnf /etc/my.cnf.d /etc/yum.repos.d
mkdir -p /etc/yum.repos.d
for d in opt var/lib var/log root; do mount --bind "$W/host/$d" "/$d"; done
chmod 0700 /root
mount -t tmpfs -o mode=0755 tmpfs /run

# A stand-in for systemd (PID 1 on the host): starts and stops mysqld.service on request from the fake systemctl,
# so the server is nobody's child but its own service's, as on the host.
mkfifo "$FAKE_STATE/systemd"
(
  while true; do
    read -r op reply <"$FAKE_STATE/systemd" || continue
    status=0
    bash "$here/mysqld-service.sh" "$op" >>"$FAKE_STATE/systemd.log" 2>&1 || status=$?
    echo "$status" >"$reply"
  done
) &

host_path="$here/fakes:/usr/sbin:/usr/bin:/sbin:/bin"
as_cloud_init() {
  env -i PATH="$host_path" LANG=C.UTF-8 FAKE_STATE="$FAKE_STATE" FAKE_LOCAL_IPV4="$FAKE_LOCAL_IPV4" \
    FAKE_GPG_KEY="$FAKE_GPG_KEY" "$@"
}

q() { mariadb --defaults-file=/root/.my.cnf -N -B -e "$1" 2>&1 || echo "ERROR"; }

# What the server, the secret and the files look like after a phase.
dump() {
  local phase=$1 status=$2
  echo "$status" >"$R/$phase.exit"
  if [ -s /root/.my.cnf ]; then
    cp /root/.my.cnf "$R/$phase.root.cnf"
    for name in server_id log_bin binlog_format binlog_row_image binlog_expire_logs_seconds bind_address character_set_server; do
      q "SHOW GLOBAL VARIABLES LIKE '$name'"
    done >"$R/$phase.vars"
    q "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'mysql_native_password'" >"$R/$phase.plugin"
    q "SHOW GRANTS FOR 'dms_source'@'%'" >"$R/$phase.grants"
    q "SELECT plugin FROM mysql.user WHERE User = 'dms_source'" >"$R/$phase.user-plugin"
    q "SELECT (SELECT COUNT(*) FROM ecommerce.products), (SELECT COUNT(*) FROM ecommerce.orders)" >"$R/$phase.rows"
  fi
  stat -c '%n %a %U' /etc/my.cnf /etc/my.cnf.d /etc/my.cnf.d/dms-migrate.cnf >"$R/$phase.modes" 2>&1 || true
  # Every stored version of the DMS source secret, and whether it logs in as DMS would (TCP, host and port
  # from the secret, the mysql_native_password plugin).
  : >"$R/$phase.versions"
  local store
  for store in "$FAKE_STATE"/secrets/*; do
    [ -d "$store" ] || continue
    cp "$store/$(cat "$store/current")" "$R/$phase.secret.json"
    local v
    for v in "$store"/v*; do
      jq -r '"[client]\nuser=\"" + .username + "\"\npassword=\"" + .password + "\"\nhost=\"" + .host + "\"\nport=" + (.port | tostring) + "\nprotocol=TCP"' "$v" >"$W/login.cnf"
      if mariadb --defaults-file="$W/login.cnf" --connect-timeout=5 -N -B -e 'SELECT CURRENT_USER()' >"$W/login.out" 2>&1; then
        echo "$(basename "$v") ok $(cat "$W/login.out")" >>"$R/$phase.versions"
      else
        echo "$(basename "$v") fail" >>"$R/$phase.versions"
      fi
    done
  done
}

# Every program the phase runs, with its whole argv, as the kernel saw it (execve), for the password check.
traced() {
  local phase=$1
  shift
  as_cloud_init strace -f -qq --seccomp-bpf -e trace=execve -s 65536 -o "$R/$phase.execve" "$@"
}

run() {
  local phase=$1
  shift
  local status=0
  traced "$phase" "$@" || status=$?
  dump "$phase" "$status"
}

# First boot: cloud-init runs the user data.
run first-boot bash "$W/userdata.sh"
[ "$scenario" = full ] || exit 0

# Reboot: the server stops, /run is emptied, systemd starts mysqld (enabled); then an operator re-runs bootstrap.sh.
as_cloud_init systemctl stop mysqld
umount /run
mount -t tmpfs -o mode=0755 tmpfs /run
as_cloud_init systemctl start mysqld
run after-reboot /opt/dms-migrate/bootstrap.sh

# A re-run whose secret write fails: MySQL must keep the password the stored secret holds.
touch "$FAKE_STATE/fail-put"
run put-fails /opt/dms-migrate/bootstrap.sh

# A re-run whose server crashes right after the secret write: the previous value must be back in the secret.
touch "$FAKE_STATE/crash-after-put"
status=0
traced crash-after-put /opt/dms-migrate/bootstrap.sh || status=$?
as_cloud_init systemctl start mysqld
dump crash-after-put "$status"
