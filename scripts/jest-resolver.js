"use strict";
/**
 * jest's module resolver, with one change: cdktf's tokens/private/stack-trace.js resolves to
 * scripts/lazy-stack-trace.js, which formats each token's creation stack when a message reads it (as the bundled
 * synth app does). Only requests made from cdktf's own lib folder are changed: constructs has a module of the same
 * name that stays as it is.
 */
const path = require("path");

const CDKTF_LIB = `${path.sep}node_modules${path.sep}cdktf${path.sep}lib`;
const LAZY = path.join(__dirname, "lazy-stack-trace.js");

module.exports = (request, options) => {
  if (/(^|\/)stack-trace$/.test(request) && (options.basedir + path.sep).includes(CDKTF_LIB + path.sep)) {
    const resolved = options.defaultResolver(request, options);
    if (resolved.endsWith(`${path.sep}cdktf${path.sep}lib${path.sep}tokens${path.sep}private${path.sep}stack-trace.js`))
      return LAZY;
    return resolved;
  }
  return options.defaultResolver(request, options);
};
