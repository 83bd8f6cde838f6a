/**
 * `jsonencode(value)`: the same Terraform expression as cdktf's `Fn.jsonencode(value)`, character for character,
 * rendered in one pass. cdktf re-resolves the whole remaining value at every level of nesting, which for the
 * dashboard body (hundreds of nested values) was a tenth of this app's synth time.
 *
 * Only the values this app passes take the one-pass path: null (not alone, not in an array), booleans, finite
 * numbers (not tokens), strings with no token (no `${`, no token marker, no quote at both ends), strings that are
 * exactly one token (a reference), and arrays and plain objects of those. Anything else (a string mixing text and tokens, an undefined member, a number token, a token
 * as a key) is handed to `Fn.jsonencode` whole, and so is the value when a lone token resolves to anything but a
 * string (a list, a map). test/constructs/hcl-jsonencode.test.ts compares both on each shape.
 */
import { Fn, IResolvable, IResolveContext, Token, Tokenization } from "cdktf";

/** Whether the one-pass rendering of `v` is exactly cdktf's. */
function supported(v: unknown): boolean {
  if (v === null || typeof v === "boolean") return true;
  // no number token, and no element of a number-list token (a placeholder number too)
  if (typeof v === "number")
    return Number.isFinite(v) && !Token.isUnresolved(v) && Tokenization.reverseNumberList([v]) === undefined;
  if (typeof v === "string") {
    const f = Tokenization.reverseString(v);
    const tokens = f.tokens.length + f.intrinsic.length;
    if (f.escapes.length > 0) return false;
    // no `${`, no list or map token marker, not quoted at both ends (cdktf would not quote it again)
    if (tokens === 0) return !/\$\{|TfToken\[/.test(v) && !(v.length > 1 && v.startsWith('"') && v.endsWith('"'));
    return tokens === 1 && f.literals.length === 0;
  }
  // null in an array: cdktf writes nothing there (`[, true]`); left to it
  if (Array.isArray(v)) return v.every((x) => x !== undefined && x !== null && supported(x));
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && !Tokenization.isResolvable(v)) {
    return Object.entries(v as Record<string, unknown>).every(
      ([k, x]) => x !== undefined && !/\$\{|TfToken\[/.test(k) && supported(x),
    );
  }
  return false;
}

/** cdktf's escapeString for expression strings. */
const escape = (s: string) => s.replace(/\n/g, "\\n").replace(/\$\{/g, "$$${");

/** A lone token that resolved to something other than a string: cdktf renders that its own way. */
class NotOnePass extends Error {}

function render(v: unknown, context: IResolveContext): string {
  if (typeof v === "string") {
    if (Token.isUnresolved(v)) {
      // a lone token: its reference, as cdktf resolves it inside a function call (no braces)
      const resolved: unknown = context.resolve(v);
      if (typeof resolved !== "string") throw new NotOnePass();
      return resolved;
    }
    return `"${escape(v)}"`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => render(x, context)).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .map((k) => `"${k}" = ${render((v as Record<string, unknown>)[k], context)}`)
      .join(", ")}}`;
  }
  return String(v);
}

class JsonEncode implements IResolvable {
  readonly creationStack: string[] = [];
  constructor(private readonly value: unknown) {}

  resolve(context: IResolveContext): string {
    // as cdktf's FunctionCall.resolve: braces suppressed inside, escapes ignored, the caller's braces decide
    const suppressBraces = context.suppressBraces;
    const ignoreEscapes = context.ignoreEscapes;
    const warnEscapes = context.warnEscapes;
    context.suppressBraces = true;
    context.ignoreEscapes = true;
    context.warnEscapes = true;
    let body: string | undefined;
    try {
      body = render(this.value, context);
    } catch (e) {
      if (!(e instanceof NotOnePass)) throw e;
    }
    context.ignoreEscapes = ignoreEscapes;
    context.warnEscapes = warnEscapes;
    if (body === undefined) {
      // a lone token resolved to a list, a map or nothing: cdktf's own FunctionCall, from the caller's context
      context.suppressBraces = suppressBraces;
      return Tokenization.reverse(Fn.jsonencode(this.value))[0].resolve(context) as string;
    }
    const expr = `jsonencode(${body})`;
    return suppressBraces ? expr : `\${${expr}}`;
  }

  toString(): string {
    return Token.asString(this);
  }
}

/** `jsonencode(value)` as a Terraform expression string (see above). */
export function jsonencode(value: unknown): string {
  // null alone: cdktf writes `jsonencode()`; left to it
  return value !== null && supported(value) ? Token.asString(new JsonEncode(value)) : Fn.jsonencode(value);
}
