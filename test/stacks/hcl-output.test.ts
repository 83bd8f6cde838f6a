import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fixHclFiles, fixRenderedHcl } from "../../stacks/hcl-output";

describe("fixRenderedHcl (cdktf 0.21's HCL, made clean for terraform validate)", () => {
  test("unquotes the references in depends_on, ignore_changes and replace_triggered_by", () => {
    // GIVEN what cdktf renders: references as strings, one per line, and on one line
    const rendered = [
      'resource "aws_instance" "i" {',
      "  depends_on = [",
      '    "aws_secretsmanager_secret.s",',
      '    "data.aws_iam_role.r",',
      "  ]",
      "  lifecycle {",
      '    ignore_changes       = ["ami", "tags[\\"Name\\"]"]',
      '    replace_triggered_by = ["terraform_data.t.output"]',
      "  }",
      "}",
      'resource "aws_vpc" "v" {',
      "  lifecycle {",
      '    ignore_changes = "all"',
      "  }",
      "}",
      "",
    ].join("\n");
    // THEN every element is a bare traversal; nothing else changed
    expect(fixRenderedHcl(rendered)).toBe(
      [
        'resource "aws_instance" "i" {',
        "  depends_on = [",
        "    aws_secretsmanager_secret.s,",
        "    data.aws_iam_role.r,",
        "  ]",
        "  lifecycle {",
        '    ignore_changes       = [ami, tags["Name"]]',
        "    replace_triggered_by = [terraform_data.t.output]",
        "  }",
        "}",
        'resource "aws_vpc" "v" {',
        "  lifecycle {",
        "    ignore_changes = all",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("never touches a heredoc body, and drops the newline cdktf adds after a value's own", () => {
    // GIVEN user data that itself contains text shaped like a depends_on list, ending with a newline
    const rendered = [
      'resource "aws_instance" "i" {',
      "  user_data = <<EOF",
      "#!/bin/bash",
      'depends_on = ["not.a_reference"]',
      "",
      "EOF",
      '  depends_on = ["aws_vpc.v"]',
      "}",
    ].join("\n");
    // THEN the body is kept byte for byte, minus the renderer's extra newline, and the real list is fixed
    expect(fixRenderedHcl(rendered)).toBe(
      [
        'resource "aws_instance" "i" {',
        "  user_data = <<EOF",
        "#!/bin/bash",
        'depends_on = ["not.a_reference"]',
        "EOF",
        "  depends_on = [aws_vpc.v]",
        "}",
      ].join("\n"),
    );
  });

  test("keeps a value without a trailing newline as it is", () => {
    const rendered = "locals {\n  a = <<EOF\nno newline at the end\nEOF\n}\n";
    expect(fixRenderedHcl(rendered)).toBe(rendered);
  });

  test("refuses a string in a reference list that is not a reference", () => {
    expect(() => fixRenderedHcl('resource "a" "b" {\n  depends_on = ["not a reference"]\n}\n')).toThrow(
      'hcl-output: "not a reference" in a reference list is not a reference',
    );
  });

  test("fixHclFiles rewrites every stack's cdk.tf in an output folder", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "hcl-output-"));
    fs.mkdirSync(path.join(out, "stacks", "dev"), { recursive: true });
    fs.writeFileSync(
      path.join(out, "stacks", "dev", "cdk.tf"),
      'resource "a" "b" {\n  depends_on = ["aws_vpc.v"]\n}\n',
    );
    fixHclFiles(out);
    expect(fs.readFileSync(path.join(out, "stacks", "dev", "cdk.tf"), "utf8")).toBe(
      'resource "a" "b" {\n  depends_on = [aws_vpc.v]\n}\n',
    );
    fs.rmSync(out, { recursive: true, force: true });
  });
});
