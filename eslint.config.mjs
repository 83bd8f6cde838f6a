import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "cdktf.out/**", ".cdktf.out.*/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message: "Import from @cdktf/provider-aws/lib/<resource>: the barrel costs ~10x synth time.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["tools/**/*.ts", "model/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "constructs", message: "dmsctl and model/ never load cdktf." }],
          patterns: [
            { group: ["cdktf", "cdktf/*", "@cdktf/*"], message: "dmsctl and model/ never load cdktf." },
            {
              group: [
                "../constructs/*",
                "../stacks/*",
                "../aspects/*",
                "../environments/*",
                "../../constructs/*",
                "../../stacks/*",
                "../../aspects/*",
                "../../environments/*",
                "../../main",
                "../../../constructs/*",
                "../../../stacks/*",
                "../../../aspects/*",
                "../../../environments/*",
                "../../../main",
              ],
              message: "dmsctl and model/ stay independent of the synth side (ARCHITECTURE.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["constructs/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@cdktf/provider-aws", message: "Deep imports only." }],
          patterns: [
            {
              group: ["../environments/*", "../environments"],
              message: "Constructs take props; they never read environments/.",
            },
          ],
        },
      ],
    },
  },
  {
    // The layers (ARCHITECTURE.md): environments/ composes the constructs' provider-free props modules; it never
    // loads a construct implementation (and with it provider classes) to read a constant.
    files: ["environments/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "constructs", message: "environments/ is plain data and validation: no constructs." }],
          patterns: [
            {
              group: ["cdktf", "cdktf/*", "@cdktf/*"],
              message: "environments/ is plain data and validation: no cdktf.",
            },
            {
              group: ["../constructs/*", "!../constructs/*-props"],
              message: "environments/ imports only constructs/*-props modules (ARCHITECTURE.md).",
            },
            { group: ["../stacks/*", "../aspects/*"], message: "environments/ sits below stacks/ and aspects/." },
          ],
        },
      ],
    },
  },
  {
    // Policy rules read resources by their provider classes, and constants from model/: never construct internals.
    files: ["aspects/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@cdktf/provider-aws", message: "Deep imports only." }],
          patterns: [
            {
              group: ["../constructs/*", "../../constructs/*", "!../constructs/*-props", "!../../constructs/*-props"],
              message: "aspects/ reads model/ and props modules, not construct implementations (ARCHITECTURE.md).",
            },
            {
              group: ["../environments/*", "../../environments/*", "../stacks/*", "../../stacks/*"],
              message: "aspects/ never reads the environment configuration.",
            },
          ],
        },
      ],
    },
  },
  {
    // A props module is what environments/ may load: settings, defaults, validators. No cdktf, no provider classes.
    files: ["constructs/*-props.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "constructs", message: "Props modules are provider-free (ARCHITECTURE.md)." }],
          patterns: [
            { group: ["cdktf", "cdktf/*", "@cdktf/*"], message: "Props modules are provider-free (ARCHITECTURE.md)." },
            { group: ["./*", "!./*-props"], message: "A props module imports only model/ and other props modules." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        exports: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
