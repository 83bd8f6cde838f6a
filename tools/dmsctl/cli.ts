/**
 * dmsctl: prove a MySQL -> RDS migration with real databases. `dmsctl <command> --help` for each command.
 * Exit codes: 0 all clear, 1 a finding (blocker, difference, latency over threshold), 2 an error (usage, connection,
 * a connection lost mid-run), 130 interrupted (SIGINT/SIGTERM; what the run changed on a server is restored first).
 * Every command module is loaded lazily, so `dmsctl --help` starts in milliseconds.
 */
import { parseArgs } from "util";
import {
  CliError,
  EXIT_ERROR,
  EXIT_INTERRUPTED,
  EXIT_OK,
  isLostConnection,
  passwordsInArgs,
  redactUrl,
} from "./common";
import { RunContext, withRunContext } from "./run-context";
import { Command, Io, CONNECTION_HELP, CONN_OPTIONS, Values, format } from "./args";
import { preflight } from "./commands/preflight";
import { seed } from "./commands/seed";
import { schema } from "./commands/schema";
import { status } from "./commands/status";
import { verify } from "./commands/verify";
import { validate } from "./commands/validate";
import { cutover } from "./commands/cutover";
import { rollback } from "./commands/rollback";
import { users } from "./commands/users";

/** The commands, in the order `dmsctl --help` lists them: each in tools/dmsctl/commands/, loading its work lazily. */
const COMMANDS: Record<string, Command> = {
  preflight,
  seed,
  schema,
  status,
  verify,
  validate,
  cutover,
  rollback,
  users,
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return `dmsctl: prove a MySQL -> Amazon RDS migration with AWS DMS, with real databases

Usage: dmsctl <command> [options]   (dmsctl <command> --help for details)

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`)
  .join("\n")}

${EXIT_CODES_HELP}`;
}

const EXIT_CODES_HELP = `Exit codes:
  0    all clear
  1    a finding (blocker, difference, latency over threshold)
  2    an error (usage, connection, a connection lost mid-run); options are checked before any connection
  130  interrupted (SIGINT/SIGTERM): every connection is closed and what the run changed on a server is put back
       as it was found first (cutover --freeze-source: read_only; --fallback: the DMS tasks; rollback: the
       target's freeze, the source's read_only, the record), and the message says what; verify --watch ends
       normally on the first Ctrl-C`;

/** Runs dmsctl; returns the exit code. */
/** Each command's own options (besides the connection options every command shares), for the help's tests. */
export function commandOptions(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, Object.keys(c.options ?? {})]));
}

export async function main(
  argv: string[],
  io: Io = {
    out: (s) => process.stdout.write(s + "\n"),
    err: (s) => process.stderr.write(s + "\n"),
    env: process.env,
    exit: (code) => process.exit(code),
  },
): Promise<number> {
  // Everything printed goes through the run's scrubber: the parsers never echo a password, and this is the second
  // line of defence (passwords in the arguments, the environment and every endpoint the run connected with).
  const ctx = new RunContext();
  for (const p of passwordsInArgs(argv)) ctx.addSecret(p);
  ctx.addSecret(io.env.DMSCTL_SOURCE_PASSWORD);
  ctx.addSecret(io.env.DMSCTL_TARGET_PASSWORD);
  const safe: Io = { ...io, out: (s) => io.out(ctx.scrub(s)), err: (s) => io.err(ctx.scrub(s)) };
  return run(argv, safe, ctx);
}

async function run(argv: string[], io: Io, ctx: RunContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(mainHelp());
    return name ? EXIT_OK : EXIT_ERROR;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`dmsctl: unknown command ${JSON.stringify(redactUrl(name, argv))}\n\n${mainHelp()}`);
    return EXIT_ERROR;
  }
  let values: Values;
  try {
    values = parseArgs({
      args: rest,
      options: { ...CONN_OPTIONS, ...cmd.options },
      allowPositionals: false,
      strict: true,
    }).values as Values;
  } catch (e) {
    io.err(`dmsctl ${name}: ${redactUrl((e as Error).message, argv)}\nusage: ${cmd.usage}`);
    return EXIT_ERROR;
  }
  if (values.help) {
    io.out(
      `${cmd.usage}\n\n${cmd.summary}\n\n${cmd.details ? `${cmd.details}\n\n` : ""}${CONNECTION_HELP}\n\n${EXIT_CODES_HELP}`,
    );
    return EXIT_OK;
  }
  const fail = (e: unknown): number => {
    if (e instanceof CliError) {
      io.err(`dmsctl ${name}: ${e.message}`);
      return EXIT_ERROR;
    }
    const code = (e as { code?: string }).code;
    if (isLostConnection(e)) {
      io.err(`dmsctl ${name}: lost a database connection${code ? ` (${code})` : ""}: the run did not finish`);
      return EXIT_ERROR;
    }
    if (code && /^ER_|^E[A-Z]+$/.test(code)) {
      io.err(`dmsctl ${name}: ${code}: ${(e as Error).message}`);
      return EXIT_ERROR;
    }
    io.err(`dmsctl ${name}: unexpected error: ${(e as Error).stack ?? e}`);
    return EXIT_ERROR;
  };

  // Options that every command shares are checked before any work (each command checks its own before it connects).
  try {
    format(values);
  } catch (e) {
    return fail(e);
  }

  // SIGINT / SIGTERM / SIGHUP: close every connection, put back what the run changed, say what, exit 130.
  let onSignal!: (sig: NodeJS.Signals) => void;
  const interrupted = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const handler = (sig: NodeJS.Signals) => {
    if (ctx.interrupted) {
      io.err(`dmsctl ${name}: ${sig} again: still putting back what the run changed, please wait`);
      return;
    }
    if (sig === "SIGINT" && ctx.softInterrupt?.()) return;
    ctx.interrupted = sig;
    onSignal(sig);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, handler);
  const work = withRunContext(ctx, () => cmd.run(values, io));
  try {
    const first = await Promise.race([
      work.then(
        (code) => ({ code }),
        (error: unknown) => ({ error }),
      ),
      interrupted.then((sig) => ({ sig })),
    ]);
    if ("sig" in first) {
      work.catch(() => undefined); // it fails now that its connections are gone; the interrupt is what is reported
      io.err(`dmsctl ${name}: interrupted by ${first.sig}${ctx.stage ? ` during ${ctx.stage}` : ""}`);
      ctx.destroyConnections();
      await ctx.restoreAll();
      if (ctx.restored.length === 0)
        io.err(`dmsctl ${name}: nothing to restore: the run had changed no server setting`);
      for (const r of ctx.restored) io.err(`dmsctl ${name}: ${r.message}`);
      return EXIT_INTERRUPTED;
    }
    // An error: put back what is still pending (a command restores its own changes; this catches the rest).
    if ("error" in first) await ctx.restoreAll();
    let code = "error" in first ? fail(first.error) : first.code;
    for (const r of ctx.restored) io.err(`dmsctl ${name}: ${r.message}`);
    if (ctx.restored.some((r) => !r.ok)) code = EXIT_ERROR;
    // A connection lost mid-run means the result is incomplete: an error, whatever the command concluded.
    const lostMessages = ctx.lost
      .map((l) => l.message)
      .filter((m) => !("error" in first && (first.error as Error)?.message === m));
    for (const m of lostMessages) io.err(`dmsctl ${name}: ${m}`);
    if (ctx.lost.length > 0) code = EXIT_ERROR;
    return code;
  } finally {
    for (const s of signals) process.removeListener(s, handler);
    ctx.destroyConnections(); // whatever a command left open (a failed connect on the other side, an early throw)
    if (ctx.interrupted) io.exit?.(EXIT_INTERRUPTED);
  }
}
