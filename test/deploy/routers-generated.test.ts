// The sid-routing configurations under infra/ and k8s/ are generated, never edited: running
// infra/generate-routers.sh again gives exactly the committed files, and the command each file
// quotes in its header, run as written, gives that file too (so the header can be trusted).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readRepoFile } from "./support/compose.js";
import { REPO_ROOT } from "./support/tools.js";

const run = promisify(execFile);
const GENERATED = [
  "infra/nginx/switchyard.conf",
  "infra/haproxy/switchyard.cfg",
  "infra/haproxy/switchyard-sid.map",
  "k8s/components/gateway-sid/httproute.yaml",
];
const CLI = join(REPO_ROOT, "packages/sticky/src/bin/switchyard-balancer.ts");
const scratch = mkdtemp(join(tmpdir(), "switchyard-routers-"));

afterAll(async () => rm(await scratch, { recursive: true, force: true }));

/** The arguments of the `switchyard-balancer` command quoted in a generated file's header. */
function headerCommand(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.endsWith("regenerate with:"));
  if (start < 0) throw new Error("no 'regenerate with:' line");
  const parts: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const body = /^#\s+(.*?)( \\)?$/.exec(line);
    if (body === null) break;
    parts.push(body[1] ?? "");
    if (body[2] === undefined) break;
  }
  const words = parts.join(" ").split(/\s+/);
  if (words[0] !== "switchyard-balancer") throw new Error(`not our command: ${parts.join(" ")}`);
  return words.slice(1);
}

describe("generated router configurations", () => {
  it("are exactly what infra/generate-routers.sh writes", async () => {
    const dir = await scratch;
    await run("bash", [join(REPO_ROOT, "infra/generate-routers.sh"), dir], { timeout: 60_000 });
    for (const path of GENERATED) {
      expect(await readFile(join(dir, path), "utf8"), path).toBe(readRepoFile(path));
    }
  }, 60_000);

  it.each(GENERATED)("%s is what the command in its header prints", async (path) => {
    const committed = readRepoFile(path);
    const args = headerCommand(committed);
    expect(args).toContain("--print");
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "--conditions=source", CLI, ...args],
      { cwd: REPO_ROOT, timeout: 30_000 },
    );
    expect(stdout).toBe(committed);
  });

  it("reads a header command across continuation lines, and only that", () => {
    const text =
      "# x\n# Generated; regenerate with:\n#   switchyard-balancer \\\n#     --print nginx \\\n#     --upstream a=http://a:1\n# and more\n";
    expect(headerCommand(text)).toEqual(["--print", "nginx", "--upstream", "a=http://a:1"]);
    expect(() => headerCommand("# nothing here\n")).toThrow("no 'regenerate with:' line");
  });
});
