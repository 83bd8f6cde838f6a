/**
 * The EC2 user data of the MySQL source: a bash script, run once by cloud-init as root, that installs MySQL
 * Community from the MySQL Yum repository (its signing key checked by fingerprint), writes the DMS my.cnf fragment
 * (readable by mysqld, which runs as `mysql`), checks every setting is in force, creates the sample schema and the
 * DMS source user, and writes that user's credentials to its Secrets Manager secret. The instance never touches the
 * RDS target: `dmsctl users --env <env>` creates the DMS target user with the operator's credentials.
 *
 * Passwords are generated on the instance and go straight to Secrets Manager: they never appear in this text, in
 * Terraform state, in any process's argv or in the log. The bootstrap is idempotent and safe to re-run (after a
 * reboot too: /run is emptied at boot and the script makes its own working folder): the secret is written before
 * MySQL's password changes, and put back if MySQL refuses the new one, so the two always agree.
 *
 * The SQL and my.cnf come from model/source-sql.ts, the same source dmsctl and the tests use;
 * test/bootstrap/ runs this script end to end on a real MariaDB server started the way systemd starts mysqld.
 */
import { DMS_SOURCE_USER, MYSQL_PORT } from "../model/names";
import {
  ServerSetting,
  renderHeartbeatSql,
  renderMyCnf,
  renderSampleDataSql,
  renderSampleSchemaSql,
  renderSettingChecks,
  renderSourceDmsUserSql,
} from "../model/source-sql";

/** The MySQL Yum repository's signing key (RPM-GPG-KEY-mysql-2025: the 2023 key, valid until 2027-10-23). */
export const MYSQL_GPG_KEY = {
  url: "https://repo.mysql.com/RPM-GPG-KEY-mysql-2025",
  // "MySQL Release Engineering <mysql-build@oss.oracle.com>", key id B7B3B788A8D3785C (MySQL 8.4 manual,
  // "Signature Checking Using GnuPG")
  fingerprint: "BCA43417C3B485DD128EC6D4B7B3B788A8D3785C",
} as const;

export interface SourceUserDataProps {
  /** Region of the secret (Terraform token allowed). */
  readonly region: string;
  /** MySQL Yum repository release RPM URL. */
  readonly mysqlRepoRpmUrl: string;
  /** The signing key of the MySQL repository. @default MYSQL_GPG_KEY */
  readonly mysqlGpgKey?: { readonly url: string; readonly fingerprint: string };
  /** The `[mysqld]` settings to write. */
  readonly serverSettings: readonly ServerSetting[];
  /** Schemas the DMS source user may read (the sample schema is always created). */
  readonly migratedSchemas: readonly string[];
  /** Grant the DMS source user what the fallback replication needs to write the source back. @default false */
  readonly fallbackWriteGrants?: boolean;
  readonly sampleSchema: string;
  readonly sampleData: boolean;
  /** Secret that receives the DMS source credentials (Terraform token allowed). */
  readonly sourceDmsSecretArn: string;
}

/** Shell-quotes a value in single quotes. Terraform tokens inside stay intact (they contain no single quote). */
export function shq(value: string | number): string {
  return "'" + String(value).replace(/'/g, `'"'"'`) + "'";
}

/** A heredoc that writes `content` verbatim to `path` (quoted delimiter: no expansion), then sets its mode. */
function writeFile(path: string, content: string, delimiter: string, mode: string): string {
  if (content.split("\n").includes(delimiter)) throw new Error(`heredoc delimiter ${delimiter} occurs in ${path}`);
  return `cat > ${path} <<'${delimiter}'\n${content}${content.endsWith("\n") ? "" : "\n"}${delimiter}\nchmod ${mode} ${path}\n`;
}

export const BOOTSTRAP_PATHS = {
  dir: "/opt/dms-migrate",
  sql: "/opt/dms-migrate/sql",
  script: "/opt/dms-migrate/bootstrap.sh",
  checks: "/opt/dms-migrate/settings.checks",
  cnf: "/etc/my.cnf.d/dms-migrate.cnf",
  log: "/var/log/dms-migrate-bootstrap.log",
  run: "/run/dms-migrate",
} as const;

/** Renders the user data script. */
export function renderSourceUserData(props: SourceUserDataProps): string {
  const P = BOOTSTRAP_PATHS;
  const key = props.mysqlGpgKey ?? MYSQL_GPG_KEY;
  if (!/^[0-9A-F]{40}$/.test(key.fingerprint)) {
    throw new Error(`mysqlGpgKey.fingerprint must be 40 upper-case hex digits, got ${JSON.stringify(key.fingerprint)}`);
  }
  // mysqld reads its option files as user mysql and silently skips one it cannot read: the fragment is 0644 in a
  // 0755 folder. The SQL holds no secret but is only for root.
  const files = [
    writeFile(P.cnf, renderMyCnf(props.serverSettings, "mysql"), "DMS_MIGRATE_CNF", "0644"),
    writeFile(P.checks, renderSettingChecks(props.serverSettings, "mysql"), "DMS_MIGRATE_CHECKS", "0644"),
    writeFile(`${P.sql}/10-sample-schema.sql`, renderSampleSchemaSql(props.sampleSchema), "DMS_MIGRATE_SQL", "0600"),
    writeFile(`${P.sql}/20-heartbeat.sql`, renderHeartbeatSql(), "DMS_MIGRATE_SQL", "0600"),
    props.sampleData
      ? writeFile(`${P.sql}/30-sample-data.sql`, renderSampleDataSql(props.sampleSchema), "DMS_MIGRATE_SQL", "0600")
      : "",
    writeFile(
      `${P.sql}/source-dms-user.sql`,
      renderSourceDmsUserSql(props.migratedSchemas, "mysql", DMS_SOURCE_USER, {
        fallback: props.fallbackWriteGrants ?? false,
      }),
      "DMS_MIGRATE_SQL",
      "0600",
    ),
  ].join("");

  return `#!/bin/bash
# dms-migrate: MySQL source bootstrap for Amazon Linux 2023. cloud-init runs it once as root; it writes the files
# below and runs ${P.script}, which is safe to re-run by hand as root at any time (after a reboot too):
#   sudo ${P.script}        log: ${P.log}
set -euo pipefail
umask 022
install -d -m 0755 ${P.dir} /etc/my.cnf.d
install -d -m 0700 ${P.sql}
${files}
cat > ${P.script} <<'DMS_MIGRATE_BOOTSTRAP'
#!/bin/bash
# Creates or repairs the MySQL source for AWS DMS: MySQL Community from its signed repository, the DMS settings
# (checked in force), the sample schema, and the DMS source user with its credentials in Secrets Manager.
# Idempotent: a re-run keeps data and rotates the DMS user's password (secret first, then MySQL).
set -euo pipefail
umask 077
export HOME=/root
exec >>${P.log} 2>&1
echo "bootstrap started $(date -u +%FT%TZ)"
export AWS_DEFAULT_REGION=${shq(props.region)}
SOURCE_DMS_SECRET_ARN=${shq(props.sourceDmsSecretArn)}
SQL_DIR=${P.sql}
RUN_DIR=${P.run}
MYSQL_GPG_KEY_URL=${shq(key.url)}
MYSQL_GPG_FINGERPRINT=${key.fingerprint}
# /run is a tmpfs, empty after every boot: this script makes its own working folder each run.
install -d -m 0700 "$RUN_DIR"
cleanup() { find "$RUN_DIR" -mindepth 1 -delete; }
trap cleanup EXIT
fail() {
  echo "bootstrap FAILED: $*" >&2
  exit 1
}

# A password for MySQL's validate_password (upper, lower, digit, special) without the characters DMS refuses in
# secrets (; . : +). printf is a shell builtin: the value never reaches a process's argv.
new_password() {
  local a b
  a=$(openssl rand -hex 16)
  b=$(openssl rand -hex 4)
  printf '%sAq7_%s' "$a" "$b"
}

# A [client] option file for a password (0600, in RUN_DIR or /root): backslash and double quote escaped as MySQL's
# option-file parser reads them inside double quotes.
client_cnf() {
  local user=$1 password=$2 file=$3
  password=$(printf '%s' "$password" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')
  printf '[client]\\nuser=%s\\npassword="%s"\\n' "$user" "$password" >"$file"
  chmod 600 "$file"
}

# Runs a mysql client (the command given) on SQL that carries a password, from stdin, without letting the client
# echo it: MariaDB's client prints a failing statement, and an error message may quote one. Only the code is shown.
sql_secret() {
  if ! "$@" >/dev/null 2>"$RUN_DIR/mysql-error"; then
    echo "mysql: $(grep -o '^ERROR [0-9]* ([0-9A-Z]*)' "$RUN_DIR/mysql-error" | head -n 1) (message withheld: it may quote a password)" >&2
    return 1
  fi
}

# 1. MySQL Community from the MySQL Yum repository (Amazon Linux 2023 ships only MariaDB), its key checked first.
dnf install -y jq openssl
if ! rpm -q mysql-community-server >/dev/null 2>&1; then
  curl -fsSL --connect-timeout 10 --max-time 120 --retry 5 "$MYSQL_GPG_KEY_URL" -o "$RUN_DIR/mysql-gpg-key.asc"
  fingerprints=$(gpg --batch --with-colons --import-options show-only --import "$RUN_DIR/mysql-gpg-key.asc" |
    awk -F: '$1 == "fpr" { print $10 }')
  grep -qx "$MYSQL_GPG_FINGERPRINT" <<<"$fingerprints" ||
    fail "$MYSQL_GPG_KEY_URL is not the MySQL release key $MYSQL_GPG_FINGERPRINT (got: $(tr '\\n' ' ' <<<"$fingerprints"))"
  rpm --import "$RUN_DIR/mysql-gpg-key.asc"
  dnf install -y ${shq(props.mysqlRepoRpmUrl)}
  # The release RPM's repo files use http://; the instance's security group allows HTTPS egress only.
  sed -i "s|http://repo.mysql.com|https://repo.mysql.com|g" /etc/yum.repos.d/mysql-community*.repo
  # Amazon Linux 2023's $releasever is date-based; the MySQL repository is laid out by EL major version.
  sed -i "s|/el/\\$releasever/|/el/9/|g" /etc/yum.repos.d/mysql-community*.repo
  dnf install -y mysql-community-server
fi
grep -q '^!includedir /etc/my.cnf.d' /etc/my.cnf || printf '\\n!includedir /etc/my.cnf.d\\n' >>/etc/my.cnf
# mysqld runs as user mysql and skips, without a word, an option file it cannot read.
chmod 0644 /etc/my.cnf ${P.cnf}
chmod 0755 /etc/my.cnf.d
systemctl enable mysqld
systemctl restart mysqld

# 2. root: replace the expired temporary password with a random one kept in /root/.my.cnf (0600).
if [ ! -s /root/.my.cnf ]; then
  temp_password=$(grep 'temporary password' /var/log/mysqld.log | tail -n 1 | sed 's/^.*root@localhost: //')
  [ -n "$temp_password" ] || fail "no temporary root password in /var/log/mysqld.log"
  client_cnf root "$temp_password" "$RUN_DIR/root-temp.cnf"
  root_password=$(new_password)
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\\n" "$root_password" |
    sql_secret mysql --defaults-file="$RUN_DIR/root-temp.cnf" --connect-timeout=10 --connect-expired-password ||
    fail "could not replace the temporary root password"
  client_cnf root "$root_password" "$RUN_DIR/root.cnf"
  mv "$RUN_DIR/root.cnf" /root/.my.cnf
fi
# --defaults-file (exclusive): only these credentials, whatever HOME and other option files say
sql() { mysql --defaults-file=/root/.my.cnf --connect-timeout=10 "$@"; }

# 3. Every DMS setting in force: a setting mysqld did not read must stop the bootstrap, not DMS a day later.
while read -r kind name expected; do
  case "$kind" in
    variable) actual=$(sql -N -B -e "SHOW GLOBAL VARIABLES LIKE '$name'" | cut -f2) ;;
    plugin) actual=$(sql -N -B -e "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = '$name'") ;;
    *) fail "unknown check $kind in ${P.checks}" ;;
  esac
  [ "$actual" = "$expected" ] ||
    fail "$kind $name is '$actual', expected '$expected': mysqld did not apply ${P.cnf} (readable by user mysql? ls -l /etc/my.cnf.d)"
done <${P.checks}
echo "settings in force: $(wc -l <${P.checks}) checks"

# 4. Schemas, heartbeat table, sample data.
for f in "$SQL_DIR"/[0-9]*.sql; do sql <"$f"; done

# 5. The DMS source user, and its secret in the format DMS reads (username, password, host, port). The secret gets
#    the new password first; only then does MySQL. If MySQL refuses it, the previous secret value goes back.
token=$(curl -fsS --connect-timeout 5 --max-time 10 -X PUT http://169.254.169.254/latest/api/token \
  -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
source_host=$(curl -fsS --connect-timeout 5 --max-time 10 -H "X-aws-ec2-metadata-token: $token" \
  http://169.254.169.254/latest/meta-data/local-ipv4)
[ -n "$source_host" ] || fail "no local-ipv4 from the instance metadata service"
previous=""
if aws secretsmanager get-secret-value --secret-id "$SOURCE_DMS_SECRET_ARN" --query SecretString --output text \
  >"$RUN_DIR/previous-secret.json" 2>"$RUN_DIR/aws-error"; then
  previous="$RUN_DIR/previous-secret.json"
elif ! grep -q ResourceNotFoundException "$RUN_DIR/aws-error"; then
  cat "$RUN_DIR/aws-error" >&2
  fail "cannot read $SOURCE_DMS_SECRET_ARN: without its current value a failed rotation could not be undone"
fi
new_password >"$RUN_DIR/dms-password"
jq -n --arg u ${shq(DMS_SOURCE_USER)} --rawfile p "$RUN_DIR/dms-password" --arg h "$source_host" --argjson port ${MYSQL_PORT} \
  '{username: $u, password: $p, host: $h, port: $port, engine: "mysql"}' >"$RUN_DIR/source-secret.json"
aws secretsmanager put-secret-value --secret-id "$SOURCE_DMS_SECRET_ARN" \
  --secret-string "file://$RUN_DIR/source-secret.json" >/dev/null ||
  fail "cannot write $SOURCE_DMS_SECRET_ARN: MySQL keeps the DMS user's current password"
if ! { printf "SET @dms_password = '%s';\\n" "$(cat "$RUN_DIR/dms-password")"; cat "$SQL_DIR/source-dms-user.sql"; } | sql_secret sql; then
  if [ -n "$previous" ]; then
    aws secretsmanager put-secret-value --secret-id "$SOURCE_DMS_SECRET_ARN" \
      --secret-string "file://$previous" >/dev/null || fail "MySQL refused the new password and the previous secret value could not be restored: re-run this script"
  fi
  fail "MySQL refused the DMS source user's new password; the secret holds the previous one again"
fi
echo "source ready: DMS user and secret written"
echo "bootstrap finished $(date -u +%FT%TZ)"
DMS_MIGRATE_BOOTSTRAP
chmod 0700 ${P.script}
${P.script}
`;
}
