#!/bin/bash
# mysqld.service as MySQL's RPM installs it, run by the rehearsal's stand-in for systemd (rehearse.sh), outside the
# bootstrap's process tree as systemd is: RuntimeDirectory=mysqld (made at each start, gone with /run at a reboot),
# ExecStartPre=mysqld_pre_systemd (initializes an empty data directory, logging a temporary root password),
# ExecStart as User=mysql. The server is the real MariaDB, started as user mysql with no option on its command line:
# it reads /etc/my.cnf and its !includedir exactly as mysqld does.
#   mysqld-service.sh start|restart|stop
set -euo pipefail

# The server's own pid file (pid-file in /etc/my.cnf), under /run: gone after a reboot, like the process.
pidfile=/run/mysqld/mysqld.pid
running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

stop() {
  if running; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 300); do running || break; sleep 0.1; done
    if running; then
      echo "mysqld.service: mysqld did not stop" >&2
      exit 1
    fi
  fi
}

launch() {
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  # stdout and stderr to the journal (systemd.log), as systemd keeps them
  runuser -u mysql -- /usr/sbin/mariadbd </dev/null >>"$FAKE_STATE/systemd.log" 2>&1 &
  local launcher=$!
  for _ in $(seq 1 300); do
    # ping answers "alive" even when access is denied: it says whether the server accepts connections
    if mariadb-admin --no-defaults --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$launcher" 2>/dev/null; then
      echo "mysqld.service: mysqld.service failed; tail of /var/log/mysqld.log:" >&2
      tail -n 20 /var/log/mysqld.log >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "mysqld.service: mysqld did not become ready in 30 s" >&2
  exit 1
}

# MySQL's mysqld --initialize: root@localhost with a random password, already expired, written to the error log.
# MariaDB differs twice: mariadb-install-db leaves root with socket authentication, so the temporary password is
# set here, over the socket; and MariaDB's expired-password sandbox accepts only SET PASSWORD, not the ALTER USER
# that MySQL 8.4 takes there, so it is not expired. It holds the characters option files must escape.
initialize() {
  # One retry on a loaded test machine (install-db's own bootstrap server can fail to start there); a render that
  # keeps the server from reading its options fails both times.
  if ! runuser -u mysql -- mariadb-install-db --datadir=/var/lib/mysql --auth-root-authentication-method=socket \
    --skip-test-db >>"$FAKE_STATE/initialize.log" 2>&1 &&
    ! { find /var/lib/mysql -mindepth 1 -delete && echo "--- retry ---" >>"$FAKE_STATE/initialize.log" &&
      runuser -u mysql -- mariadb-install-db --datadir=/var/lib/mysql --auth-root-authentication-method=socket \
        --skip-test-db >>"$FAKE_STATE/initialize.log" 2>&1; }; then
    echo "mysqld.service: initializing the data directory failed:" >&2
    grep -v '^$' "$FAKE_STATE/initialize.log" | head -n 5 >&2
    exit 1
  fi
  launch
  temp="$(openssl rand -base64 9)#\\\"';x"
  printf '%s' "$temp" >"$FAKE_STATE/temporary-password"
  sql_literal=$(printf '%s' "$temp" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")
  printf "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('%s');\n" "$sql_literal" |
    mariadb --no-defaults --socket=/run/mysqld/mysqld.sock -u root
  printf '%s 6 [Note] [MY-010454] [Server] A temporary password is generated for root@localhost: %s\n' \
    "$(date -u +%FT%T.000000Z)" "$temp" >>/var/log/mysqld.log
}

case "${1:-}" in
  stop) stop ;;
  start | restart)
    stop
    if [ ! -d /var/lib/mysql/mysql ]; then initialize; else launch; fi
    ;;
  *)
    echo "mysqld-service: unexpected operation: $*" >&2
    exit 1
    ;;
esac
