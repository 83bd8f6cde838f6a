/**
 * The EC2 user data of the MySQL source: a bash script, run once by cloud-init as root, that installs MySQL
 * Community from the MySQL Yum repository, writes the DMS my.cnf fragment, creates the sample schema and the DMS
 * source user, and (optionally) creates the DMS target user on RDS. Passwords are generated on the instance and go
 * straight to Secrets Manager: they never appear in this text, in Terraform state, in argv or in the log.
 *
 * The SQL and my.cnf come from model/source-sql.ts, the same source dmsctl and the tests use.
 */
import { MYSQL_PORT } from "../model/names";
import {
  ServerSetting,
  renderHeartbeatSql,
  renderMyCnf,
  renderSampleDataSql,
  renderSampleSchemaSql,
  renderSourceDmsUserSql,
  renderTargetDmsUserSql,
} from "../model/source-sql";

export interface SourceUserDataProps {
  /** Region of the secrets (Terraform token allowed). */
  readonly region: string;
  /** MySQL Yum repository release RPM URL. */
  readonly mysqlRepoRpmUrl: string;
  /** The `[mysqld]` settings to write. */
  readonly serverSettings: readonly ServerSetting[];
  /** Schemas the DMS source user may read (the sample schema is always created). */
  readonly migratedSchemas: readonly string[];
  readonly sampleSchema: string;
  readonly sampleData: boolean;
  /** Secret that receives the DMS source credentials (Terraform token allowed). */
  readonly sourceDmsSecretArn: string;
  /** When set, also create the DMS user on the RDS target and fill its secret. */
  readonly target?: {
    readonly host: string;
    readonly port: number | string;
    /** The RDS-managed master user secret (username + password only). */
    readonly masterSecretArn: string;
    /** Secret that receives the DMS target credentials. */
    readonly dmsSecretArn: string;
    /** Minutes to wait for the RDS instance to accept connections. */
    readonly waitMinutes?: number;
  };
}

/** Shell-quotes a value in single quotes. Terraform tokens inside stay intact (they contain no single quote). */
export function shq(value: string | number): string {
  return "'" + String(value).replace(/'/g, `'"'"'`) + "'";
}

/** A heredoc that writes `content` verbatim to `path` (quoted delimiter: no expansion). */
function writeFile(path: string, content: string, delimiter: string): string {
  if (content.split("\n").includes(delimiter)) throw new Error(`heredoc delimiter ${delimiter} occurs in ${path}`);
  return `cat > ${path} <<'${delimiter}'\n${content}${content.endsWith("\n") ? "" : "\n"}${delimiter}\n`;
}

/** Renders the user data script. */
export function renderSourceUserData(props: SourceUserDataProps): string {
  const sql = "/opt/dms-migrate/sql";
  const files = [
    writeFile("/etc/my.cnf.d/dms-migrate.cnf", renderMyCnf(props.serverSettings, "mysql"), "DMS_MIGRATE_CNF"),
    writeFile(`${sql}/10-sample-schema.sql`, renderSampleSchemaSql(props.sampleSchema), "DMS_MIGRATE_SQL"),
    writeFile(`${sql}/20-heartbeat.sql`, renderHeartbeatSql(), "DMS_MIGRATE_SQL"),
    props.sampleData ? writeFile(`${sql}/30-sample-data.sql`, renderSampleDataSql(props.sampleSchema), "DMS_MIGRATE_SQL") : "",
    writeFile(`${sql}/source-dms-user.sql`, renderSourceDmsUserSql(props.migratedSchemas, "mysql"), "DMS_MIGRATE_SQL"),
    props.target ? writeFile(`${sql}/target-dms-user.sql`, renderTargetDmsUserSql(props.migratedSchemas), "DMS_MIGRATE_SQL") : "",
  ].join("");
  const t = props.target;
  const waitTries = Math.ceil(((t?.waitMinutes ?? 60) * 60) / 30);

  return `#!/bin/bash
# dms-migrate: MySQL source bootstrap for Amazon Linux 2023. Runs once (cloud-init). Re-run by hand as root with
#   /opt/dms-migrate/bootstrap.sh
# It is idempotent: a re-run keeps data and rotates the DMS passwords. Log: /var/log/dms-migrate-bootstrap.log
set -euo pipefail
umask 077
export HOME=/root
mkdir -p ${sql} /run/dms-migrate /etc/my.cnf.d
${files}
cat > /opt/dms-migrate/bootstrap.sh <<'DMS_MIGRATE_BOOTSTRAP'
#!/bin/bash
set -euo pipefail
umask 077
export HOME=/root
exec >>/var/log/dms-migrate-bootstrap.log 2>&1
echo "bootstrap started $(date -u +%FT%TZ)"
export AWS_DEFAULT_REGION=${shq(props.region)}
SOURCE_DMS_SECRET_ARN=${shq(props.sourceDmsSecretArn)}
${
  t
    ? `TARGET_HOST=${shq(t.host)}
TARGET_PORT=${shq(t.port)}
TARGET_MASTER_SECRET_ARN=${shq(t.masterSecretArn)}
TARGET_DMS_SECRET_ARN=${shq(t.dmsSecretArn)}
`
    : ""
}SQL_DIR=${sql}
RUN_DIR=/run/dms-migrate
cleanup() { rm -f "$RUN_DIR"/*; }
trap cleanup EXIT

# A password for MySQL's validate_password (upper, lower, digit, special) without the characters DMS refuses in
# secrets (; . : +). printf is a shell builtin: the value never reaches a process's argv.
new_password() {
  local a b
  a=$(openssl rand -hex 16)
  b=$(openssl rand -hex 4)
  printf '%sAq7_%s' "$a" "$b"
}

# 1. MySQL Community from the MySQL Yum repository (Amazon Linux 2023 ships only MariaDB).
if ! rpm -q mysql-community-server >/dev/null 2>&1; then
  dnf install -y ${shq(props.mysqlRepoRpmUrl)}
  rpm --import https://repo.mysql.com/RPM-GPG-KEY-mysql-2025 || true
  # The release RPM's repo files use http://; the instance's security group allows HTTPS egress only.
  sed -i "s|http://repo.mysql.com|https://repo.mysql.com|g" /etc/yum.repos.d/mysql-community*.repo
  # Amazon Linux 2023's $releasever is date-based; the MySQL repository is laid out by EL major version.
  sed -i "s|/el/\\$releasever/|/el/9/|g" /etc/yum.repos.d/mysql-community*.repo
  dnf install -y mysql-community-server
fi
dnf install -y jq openssl
grep -q '^!includedir /etc/my.cnf.d' /etc/my.cnf || printf '\\n!includedir /etc/my.cnf.d\\n' >>/etc/my.cnf
systemctl enable mysqld
systemctl restart mysqld

# 2. root: replace the expired temporary password with a random one kept in /root/.my.cnf (0600).
if [ ! -s /root/.my.cnf ]; then
  temp_password=$(grep 'temporary password' /var/log/mysqld.log | tail -n 1 | awk '{print $NF}')
  root_password=$(new_password)
  printf '[client]\\nuser=root\\npassword="%s"\\n' "$temp_password" >"$RUN_DIR/root-temp.cnf"
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\\n" "$root_password" |
    mysql --defaults-file="$RUN_DIR/root-temp.cnf" --connect-expired-password
  printf '[client]\\nuser=root\\npassword="%s"\\n' "$root_password" >/root/.my.cnf
  chmod 600 /root/.my.cnf
fi

# 3. Schemas, heartbeat table, sample data.
# --defaults-file (exclusive): only these credentials, whatever HOME and other option files say
for f in "$SQL_DIR"/[0-9]*.sql; do mysql --defaults-file=/root/.my.cnf <"$f"; done

# 4. The DMS source user, and its secret in the format DMS reads (username, password, host, port).
token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
source_host=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/local-ipv4)
dms_password=$(new_password)
{ printf "SET @dms_password = '%s';\\n" "$dms_password"; cat "$SQL_DIR/source-dms-user.sql"; } | mysql --defaults-file=/root/.my.cnf
jq -n --arg u ${shq("dms_source")} --arg p "$dms_password" --arg h "$source_host" --argjson port ${MYSQL_PORT} \\
  '{username: $u, password: $p, host: $h, port: $port, engine: "mysql"}' >"$RUN_DIR/source-secret.json"
aws secretsmanager put-secret-value --secret-id "$SOURCE_DMS_SECRET_ARN" \\
  --secret-string "file://$RUN_DIR/source-secret.json" >/dev/null
echo "source ready: DMS user and secret written"
${
  t
    ? `
# 5. The DMS target user on RDS, created with the RDS-managed master secret, and its own secret.
aws secretsmanager get-secret-value --secret-id "$TARGET_MASTER_SECRET_ARN" --query SecretString --output text |
  jq -r '"[client]\\nuser=\\"" + .username + "\\"\\npassword=\\"" + .password + "\\""' >"$RUN_DIR/target-master.cnf"
printf 'host=%s\\nport=%s\\nssl-mode=REQUIRED\\n' "$TARGET_HOST" "$TARGET_PORT" >>"$RUN_DIR/target-master.cnf"
for i in $(seq 1 ${waitTries}); do
  if mysql --defaults-file="$RUN_DIR/target-master.cnf" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
  if [ "$i" = ${waitTries} ]; then echo "target $TARGET_HOST not reachable: DMS target user not created" >&2; exit 1; fi
  sleep 30
done
dms_password=$(new_password)
{ printf "SET @dms_password = '%s';\\n" "$dms_password"; cat "$SQL_DIR/target-dms-user.sql"; } |
  mysql --defaults-file="$RUN_DIR/target-master.cnf"
jq -n --arg u ${shq("dms_target")} --arg p "$dms_password" --arg h "$TARGET_HOST" --argjson port "$TARGET_PORT" \\
  '{username: $u, password: $p, host: $h, port: $port, engine: "mysql"}' >"$RUN_DIR/target-secret.json"
aws secretsmanager put-secret-value --secret-id "$TARGET_DMS_SECRET_ARN" \\
  --secret-string "file://$RUN_DIR/target-secret.json" >/dev/null
echo "target ready: DMS user and secret written"
`
    : ""
}echo "bootstrap finished $(date -u +%FT%TZ)"
DMS_MIGRATE_BOOTSTRAP
chmod 700 /opt/dms-migrate/bootstrap.sh
/opt/dms-migrate/bootstrap.sh
`;
}
