// External command-line tools of the deployment tests (yamllint, kubectl), found on PATH or in
// the directories the services helper also searches. `.ci/run` installs yamllint; kubectl is on
// this machine kind. A missing tool is an error naming the install step, never a skip.
// helm and k8s-validator are built by test/deploy/install-tools.sh (.ci/run runs it) into the
// tools directory; like the services and peers, they are required under CI and skipped
// elsewhere when missing (`deployTool`).
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { promisify } from "node:util";
import { sourceHash } from "../../support/peers.js";
import { isCi } from "../../support/services.js";

const run = promisify(execFile);
// Read through a constant: Biome prefers `env.PATH`, tsc (index signature) `env["PATH"]`.
const PATH_VAR = "PATH";

/** The repository root. */
export const REPO_ROOT: string = resolve(import.meta.dirname, "../../..");

/** Absolute path of `name`, or undefined when it is not installed. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env[PATH_VAR] ?? "").split(delimiter), "/usr/sbin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Absolute path of `name`; throws with the install hint when it is missing. */
export function requireTool(name: string, installHint: string): string {
  const path = findTool(name);
  if (path === undefined) throw new Error(`${name} is not installed (${installHint})`);
  return path;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool from the repository root; a non-zero exit is a result, not a throw. */
export async function runTool(path: string, args: readonly string[]): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(path, [...args], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? String(error),
    };
  }
}

/** yamllint (strict: warnings fail) on repository-relative paths, with the root .yamllint.yaml. */
export async function yamllint(paths: readonly string[]): Promise<ToolResult> {
  const bin = requireTool("yamllint", "apt-get install -y --no-install-recommends yamllint");
  return runTool(bin, ["--strict", "-c", join(REPO_ROOT, ".yamllint.yaml"), ...paths]);
}

const TOOLS_DIR_VAR = "SWITCHYARD_TOOLS_DIR";
const TOOLS_INSTALL = "run `bash test/deploy/install-tools.sh` (.ci/run does)";

/** Where install-tools.sh puts helm and k8s-validator. */
export function toolsBinDir(): string {
  return join(process.env[TOOLS_DIR_VAR] ?? join(homedir(), ".cache/switchyard/tools"), "bin");
}

/** Why a tool of install-tools.sh cannot be used, or undefined when it can. */
function deployToolProblem(name: "helm" | "k8s-validator", path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `${path} is missing`;
  }
  if (name !== "k8s-validator") return undefined;
  const stamp = `${path}.sha256`;
  const current = sourceHash(join(REPO_ROOT, "test/deploy/validator"));
  if (!existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== current) {
    return `${path} is older than test/deploy/validator`;
  }
  return undefined;
}

/**
 * helm or k8s-validator from the tools directory. Under CI a missing (or stale) one throws;
 * elsewhere it is undefined, with the reason printed, and the tests that need it skip.
 */
export function deployTool(name: "helm" | "k8s-validator"): string | undefined {
  const path = join(toolsBinDir(), name);
  const problem = deployToolProblem(name, path);
  if (problem === undefined) return path;
  const message = `${name} is unavailable: ${problem}; ${TOOLS_INSTALL}`;
  if (isCi()) throw new Error(message);
  console.warn(`[deploy] ${message}; dependent tests skip.`);
  return undefined;
}
