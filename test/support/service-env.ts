// What the test services read from the environment: whether CI runs, and where binaries live.
import { delimiter } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

// Variables read through constants: Biome prefers `env.CI`, tsc (index signature) `env["CI"]`.
const CI_VAR = "CI";
const PATH_VAR = "PATH";

export const EXTRA_BIN_DIRS: readonly string[] = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"];

/** CI is on when the CI variable is set to anything but "", "false" or "0". */
export function isCi(env: Env = process.env): boolean {
  const value = env[CI_VAR];
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/** PATH entries followed by the sbin/local dirs where Debian and friends put servers. */
export function defaultBinDirs(env: Env = process.env): string[] {
  const fromPath = (env[PATH_VAR] ?? "").split(delimiter).filter((dir) => dir !== "");
  return [...new Set([...fromPath, ...EXTRA_BIN_DIRS])];
}
