#!/usr/bin/env node
// Regenerates RULES.md from the compiled rule pack and environments (run `npm run build` first; npm run rules:md does).
"use strict";
const fs = require("fs");
const path = require("path");
const dist = path.resolve(__dirname, "..", "dist");
const { ALL_RULES } = require(path.join(dist, "aspects/pack.js"));
const { renderRulesMarkdown } = require(path.join(dist, "aspects/rules-doc.js"));
const { ENVIRONMENT_NAMES } = require(path.join(dist, "environments/config.js"));
const envs = ENVIRONMENT_NAMES.map((n) => require(path.join(dist, "environments", `${n}.js`))[n]);
const suppressions = envs.flatMap((e) => e.policy.suppressions.map((s) => ({ environment: e.name, ...s })));
fs.writeFileSync(path.resolve(__dirname, "..", "RULES.md"), renderRulesMarkdown(ALL_RULES, suppressions));
console.log(`RULES.md: ${ALL_RULES.length} rules, ${suppressions.length} suppressions`);
