/** Formats every stacks/<stack>/cdk.tf under a cdktf output folder; returns the fmt tool used, if any. */
export function formatHclOutput(outdir: string): Promise<string | undefined>;
