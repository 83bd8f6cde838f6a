"use strict";
/**
 * cdktf's tokens/private/stack-trace.js, with the stack formatted when something reads it instead of at once.
 *
 * Every cdktf token (each reference, Lazy value, Fn call...) records the stack that created it, for error messages
 * only. cdktf formats that stack into strings right away, tens of thousands of times per synth; under jest each
 * frame also goes through source maps (a third of the CPU of the construct tests). This module captures the same
 * trace and formats it on first read, to the same strings.
 *
 * Swapped in for cdktf's module in two places: the bundled synth app (scripts/bundle.js) and the tests
 * (scripts/jest-resolver.js). test/bundle.test.ts checks the output and the error messages are the same.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.captureStackTrace = captureStackTrace;
function captureStackTrace(below) {
  below = below || captureStackTrace;
  const object = { stack: "" };
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(object, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  let lines;
  const fill = (target) => {
    if (lines === undefined) {
      lines = object.stack
        ? object.stack
            .split("\n")
            .slice(1)
            .map((s) => s.replace(/^\s*at\s+/, ""))
        : [];
      target.push(...lines);
    }
    return target;
  };
  return new Proxy([], {
    get: (target, key, receiver) => Reflect.get(fill(target), key, receiver),
    has: (target, key) => Reflect.has(fill(target), key),
    ownKeys: (target) => Reflect.ownKeys(fill(target)),
    getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(fill(target), key),
  });
}
