/**
 * Fixes to cdktf 0.21's HCL renderer (`cdktf synth --hcl`), applied to every cdk.tf right after the app writes it,
 * so the HCL exit path is clean for plain Terraform / OpenTofu whether `npm run synth:hcl` or the cdktf CLI runs
 * the app:
 *
 * - References in meta-arguments are rendered as strings (`depends_on = ["aws_vpc.x"]`,
 *   `ignore_changes = ["ami"]`): Terraform accepts them with a "Quoted references are deprecated" warning each.
 *   They are written unquoted (`depends_on = [aws_vpc.x]`).
 * - Custom conditions are rendered as a list attribute (`postcondition = [ { condition = ... }, ]`), which Terraform
 *   rejects: they are blocks. Each element becomes a `postcondition { ... }` / `precondition { ... }` block.
 * - A multi-line string that already ends with a newline (user data, a PEM certificate) gains a second one in its
 *   heredoc, so the HCL value would differ from the JSON synth: the extra newline is removed.
 */
import * as fs from "fs";
import * as path from "path";

/** Meta-arguments whose elements are references (Terraform reads them as traversals, never as strings). */
const REFERENCE_LISTS = ["depends_on", "ignore_changes", "replace_triggered_by"] as const;

/** A traversal: `aws_vpc.x`, `data.aws_iam_role.r`, `ami`, `tags["Name"]`, `module.m.out[0]`. */
const TRAVERSAL = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*$/;

function unquoteReference(quoted: string): string {
  const inner = JSON.parse(quoted) as string;
  if (!TRAVERSAL.test(inner)) throw new Error(`hcl-output: ${quoted} in a reference list is not a reference`);
  return inner;
}

/** The text split into code and heredoc bodies, so a fix never touches a heredoc's content (user data, PEM). */
function segments(text: string): { code: boolean; text: string }[] {
  const lines = text.split("\n");
  const out: { code: boolean; text: string }[] = [];
  const push = (code: boolean, line: string) => {
    const last = out[out.length - 1];
    if (last && last.code === code) last.text += `\n${line}`;
    else out.push({ code, text: line });
  };
  let marker: string | undefined; // the open heredoc's identifier
  for (const line of lines) {
    if (marker) {
      if (line.trim() === marker) {
        marker = undefined;
        push(true, line);
      } else push(false, line);
      continue;
    }
    push(true, line);
    marker = /<<-?([A-Za-z_][\w-]*)$/.exec(line)?.[1];
  }
  return out;
}

/** `name = [ "a", "b" ]` over one or several lines, for each reference list; the elements are plain quoted strings. */
const LIST = new RegExp(
  `^(\\s*(?:${REFERENCE_LISTS.join("|")})\\s*=\\s*)\\[((?:\\s*"(?:[^"\\\\]|\\\\.)*"\\s*,?)*\\s*)\\]`,
  "gm",
);

/** `precondition = [ {...}, {...} ]` (cdktf's rendering) as one block per element. */
function conditionBlocks(code: string): string {
  const lines = code.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(precondition|postcondition)\s*=\s*\[\s*$/.exec(lines[i]);
    if (!m) {
      out.push(lines[i]);
      continue;
    }
    const [, indent, kind] = m;
    for (i++; i < lines.length && lines[i].trim() !== "]"; i++) {
      const t = lines[i].trim();
      if (t === "{") out.push(`${indent}${kind} {`);
      else if (t === "}," || t === "}") out.push(`${indent}}`);
      else if (/^\w+\s*=/.test(t)) out.push(`${indent}  ${t}`);
      else throw new Error(`hcl-output: unexpected line in a ${kind} list: ${JSON.stringify(lines[i])}`);
    }
    if (i >= lines.length) throw new Error(`hcl-output: unterminated ${kind} list`);
  }
  return out.join("\n");
}

function fixCode(code: string): string {
  return conditionBlocks(code)
    .replace(
      LIST,
      (_m, head: string, body: string) => `${head}[${body.replace(/"(?:[^"\\]|\\.)*"/g, unquoteReference)}]`,
    )
    .replace(/^(\s*ignore_changes\s*=\s*)"all"[ \t]*$/gm, "$1all"); // the keyword all
}

/** The HCL text with every reference-list element unquoted and the doubled heredoc newline removed. */
export function fixRenderedHcl(text: string): string {
  const parts = segments(text);
  return parts
    .map((part, i) => {
      if (part.code) return fixCode(part.text);
      // cdktf ends every heredoc with a newline of its own, after the value's own trailing newline: the body's
      // last line is then empty. Drop that one line (a body of several trailing newlines keeps the others).
      const next = parts[i + 1];
      return next && part.text.endsWith("\n") ? part.text.slice(0, -1) : part.text;
    })
    .join("\n");
}

/** Applies fixRenderedHcl to every `stacks/<stack>/cdk.tf` under a cdktf output folder. */
export function fixHclFiles(outdir: string): void {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, "cdk.tf");
    if (!fs.existsSync(file)) continue;
    fs.writeFileSync(file, fixRenderedHcl(fs.readFileSync(file, "utf8")));
  }
}
