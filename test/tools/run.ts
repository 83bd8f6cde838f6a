/** Runs dmsctl in-process (the same `main` the bin calls) and captures what it prints. */
import { main } from "../../tools/dmsctl/cli";

/**
 * cutover's latency check with two canaries 50 ms apart (default 5, 500 ms: at least 2 s a run), for the tests
 * whose subject is not the latency check.
 */
export const FAST_CANARIES = ["--canaries", "2", "--canary-interval-ms", "50"];

export interface Run {
  code: number;
  out: string;
  err: string;
  json<T = unknown>(): T;
}

export async function dmsctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env });
  const o = out.join("\n");
  return { code, out: o, err: err.join("\n"), json: <T>() => JSON.parse(o) as T };
}
