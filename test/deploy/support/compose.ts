// Reads infra/compose*.yaml and infra/Dockerfile the way Docker would, without Docker: YAML merge
// keys, override files merged per service, `${VAR}` / `${VAR:-default}` interpolation, duration
// strings, and the image's CMD. Pure helpers for the infra tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "./tools.js";

/** The parts of a compose service the tests read. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: unknown[];
  expose?: unknown[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  stop_grace_period?: string;
  deploy?: { replicas?: number | string };
  volumes?: unknown[];
  ulimits?: Record<string, number | { soft?: number; hard?: number }>;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/** Repository-relative path → text. */
export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), "utf8");
}

/** Parses compose files (repository-relative) and merges them in order, as `-f a -f b` does. */
export function loadCompose(...paths: string[]): ComposeFile {
  let merged: ComposeFile = { services: {} };
  for (const path of paths) {
    const file = parse(readRepoFile(path), { merge: true }) as ComposeFile;
    merged = mergeCompose(merged, file);
  }
  return merged;
}

/** Compose's override merge: mappings merge key by key, scalars and sequences are replaced. */
function mergeCompose(base: ComposeFile, override: ComposeFile): ComposeFile {
  return deepMerge(base, override) as ComposeFile;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Compose interpolation of one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}` (unset or
 * empty), `${VAR-default}` (unset only). `env` stands for the shell environment of `docker
 * compose`; the tests pass `{}` to read the defaults.
 */
export function interpolate(text: string, env: Readonly<Record<string, string>> = {}): string {
  return text.replace(
    /\$(?:\$|\{([A-Za-z_]\w*)(?:(:?-)([^}]*))?\}|([A-Za-z_]\w*))/g,
    (whole, braced: string | undefined, op: string | undefined, fallback = "", bare?: string) => {
      if (whole === "$$") return "$";
      const name = braced ?? bare ?? "";
      const value = env[name];
      if (op === ":-") return value === undefined || value === "" ? fallback : value;
      if (op === "-") return value === undefined ? fallback : value;
      return value ?? "";
    },
  );
}

/** A service's environment (mapping or `KEY=VALUE` list), interpolated. */
export function serviceEnv(
  service: ComposeService,
  env: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = service.environment ?? {};
  const pairs: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item) => {
        const eq = item.indexOf("=");
        return eq === -1 ? [item, ""] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(raw);
  for (const [key, value] of pairs) out[key] = interpolate(String(value ?? ""), env);
  return out;
}

/** A compose duration (`15s`, `1m30s`, `500ms`, `1h`) in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) {
    throw new Error(`not a compose duration: ${text}`);
  }
  return parts.reduce(
    (sum, [, amount, unit]) => sum + Number(amount) * (units[unit ?? ""] ?? 0),
    0,
  );
}

/** One Dockerfile instruction: keyword (upper case) and its argument text (continuations joined). */
export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

/** Splits a Dockerfile into instructions (comments dropped, `\` continuations joined). */
export function dockerInstructions(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let pending: DockerInstruction | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === "" || line.startsWith("#"))) return;
    if (pending !== undefined && line.startsWith("#")) return;
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1).trim() : line;
    if (pending === undefined) {
      const space = body.search(/\s/);
      const keyword = (space === -1 ? body : body.slice(0, space)).toUpperCase();
      pending = {
        keyword,
        args: space === -1 ? "" : body.slice(space + 1).trim(),
        line: index + 1,
      };
    } else {
      pending.args = `${pending.args} ${body}`.trim();
    }
    if (!continued) {
      out.push(pending);
      pending = undefined;
    }
  });
  if (pending !== undefined) out.push(pending);
  return out;
}

/** The exec-form CMD of the Dockerfile's final stage (what a service without `command` runs). */
export function imageCommand(dockerfile: string): string[] {
  const cmd = dockerInstructions(dockerfile)
    .filter((instruction) => instruction.keyword === "CMD")
    .at(-1);
  if (cmd === undefined) throw new Error("the Dockerfile has no CMD");
  return JSON.parse(cmd.args) as string[];
}
