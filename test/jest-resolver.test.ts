/**
 * scripts/jest-resolver.js: under jest, cdktf's token stack traces come from scripts/lazy-stack-trace.js (formatted
 * when read, as in the bundled app), which reads exactly as cdktf's own; nothing else is resolved differently.
 */
import * as path from "path";
import { types } from "util";
import { Lazy, Tokenization } from "cdktf";

const root = path.resolve(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resolver = require("../scripts/jest-resolver") as (request: string, options: Options) => string;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lazy = require("../scripts/lazy-stack-trace") as { captureStackTrace: (below?: unknown) => string[] };
// Required from this file (not from cdktf's lib folder), this is cdktf's own module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const original = require("cdktf/lib/tokens/private/stack-trace") as typeof lazy;

interface Options {
  basedir: string;
  defaultResolver: (request: string, options: Options) => string;
}

const LAZY = path.join(root, "scripts", "lazy-stack-trace.js");
const defaultResolver = (request: string, options: Options) => require.resolve(request, { paths: [options.basedir] });
const resolve = (request: string, basedir: string) =>
  resolver(request, { basedir: path.join(root, basedir), defaultResolver });

describe("the resolver", () => {
  test("sends cdktf's stack-trace module, from each of cdktf's folders that require it, to the lazy one", () => {
    expect(resolve("./stack-trace", "node_modules/cdktf/lib/tokens/private")).toBe(LAZY);
    expect(resolve("./private/stack-trace", "node_modules/cdktf/lib/tokens")).toBe(LAZY);
    expect(resolve("./tokens/private/stack-trace", "node_modules/cdktf/lib")).toBe(LAZY);
  });
  test("leaves every other module as it is: constructs' own stack-trace module, cdktf's other modules", () => {
    expect(resolve("./private/stack-trace", "node_modules/constructs/lib")).toBe(
      path.join(root, "node_modules/constructs/lib/private/stack-trace.js"),
    );
    expect(resolve("./lazy", "node_modules/cdktf/lib/tokens")).toBe(
      path.join(root, "node_modules/cdktf/lib/tokens/lazy.js"),
    );
    expect(resolve("cdktf/lib/tokens/private/stack-trace", "test")).toBe(
      path.join(root, "node_modules/cdktf/lib/tokens/private/stack-trace.js"),
    );
  });
});

describe("in the tests", () => {
  test("a cdktf token's creation stack is the lazy one, and names the code that made the token", () => {
    const token = Tokenization.reverseString(Lazy.stringValue({ produce: () => "x" })).firstToken!;
    expect(types.isProxy(token.creationStack)).toBe(true);
    expect(token.creationStack.some((frame) => frame.includes("jest-resolver.test.ts"))).toBe(true);
  });
  test("the lazy stack reads as cdktf's own: the same frames, as an array", () => {
    const [expected, actual] = [original, lazy].map((m) => m.captureStackTrace());
    expect(expected.length).toBeGreaterThan(3);
    expect(Array.isArray(actual)).toBe(true);
    expect([...actual]).toEqual(expected);
    expect(actual.length).toBe(expected.length);
    expect(actual.join("\n")).toBe(expected.join("\n"));
    const below = function named() {
      return [original, lazy].map((m) => m.captureStackTrace(named));
    };
    const [e2, a2] = below();
    expect([...a2]).toEqual(e2);
  });
});
