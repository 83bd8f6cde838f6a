/** Every subcommand's --help explains every option the command accepts (besides the shared connection options). */
import { commandOptions } from "../../tools/dmsctl/cli";
import { dmsctl } from "./run";

const commands = Object.entries(commandOptions());

test("knows every command", () => {
  expect(commands.map(([c]) => c).sort()).toEqual([
    "cutover",
    "preflight",
    "rollback",
    "schema",
    "seed",
    "status",
    "users",
    "validate",
    "verify",
  ]);
});

test.each(commands)("%s --help explains each of its options", async (command, options) => {
  const r = await dmsctl([command, "--help"]);
  expect(r.code).toBe(0);
  const lines = r.out.split("\n");
  for (const option of options) {
    // a line that starts with the option and explains it after two or more spaces
    const line = lines.find((l) => new RegExp(`^\\s+--${option}\\b.*?\\s{2,}\\S`).test(l));
    expect([option, line]).toEqual([option, expect.any(String)]);
  }
});
