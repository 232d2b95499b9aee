// PostgreSQL for tests (the official @socket.io/postgres-adapter). Resolution order:
//   1. POSTGRES_URL from the environment (not managed by the tests);
//   2. the server binaries of Debian's `postgresql` package (initdb and postgres, in
//      /usr/lib/postgresql/<version>/bin or on PATH): a fresh cluster is initialised into a temp
//      dir and started on a free 127.0.0.1 port, with trust authentication for user `postgres`.
// Under CI an unresolvable PostgreSQL is an error; elsewhere it is `undefined` (tests skip).
// PostgreSQL refuses to run as root: as root (CI), initdb and postgres run as the `postgres`
// user the Debian package creates (else `nobody`), owning the temp dir.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, chownSync, constants, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { getFreePort, LOOPBACK, pollUntil, withTimeout } from "./net-probe.js";
import { defaultBinDirs, type Env, isCi } from "./service-env.js";

export const POSTGRES_URL_VAR = "POSTGRES_URL";

export interface PostgresService {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly source: "env" | "binary";
  /** Stops the server (binary) and removes its data directory. */
  close(): Promise<void>;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Directories holding Debian's server binaries, newest version first. */
function debianBinDirs(): string[] {
  try {
    return readdirSync("/usr/lib/postgresql")
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => `/usr/lib/postgresql/${version}/bin`);
  } catch {
    return [];
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** initdb and postgres from one directory (Debian's first, then PATH and the sbin dirs). */
export function findPostgresBinaries(env: Env = process.env): PostgresBinaries | undefined {
  for (const dir of [...debianBinDirs(), ...defaultBinDirs(env)]) {
    const initdb = join(dir, "initdb");
    const postgres = join(dir, "postgres");
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres };
  }
  return undefined;
}

/** The uid/gid to run as: none when not root, else `postgres` (or `nobody`) from /etc/passwd. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const users = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const fields = users.find((line) => line.startsWith(`${name}:`))?.split(":");
    if (fields !== undefined) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error("running as root and /etc/passwd has neither a postgres nor a nobody user");
}

/** Runs a command to completion; rejects with its output on failure. */
function run(binary: string, args: string[], user: ReturnType<typeof runAs>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...user, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} exited ${code}: ${output.trim()}`)),
    );
  });
}

const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHook = false;

/** Initialises a cluster in a temp dir and starts it on a free loopback port. */
export async function startPostgres(binaries: PostgresBinaries): Promise<PostgresService> {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const { child, dir } of live) {
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), "switchyard-postgres-"));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  try {
    await run(
      binaries.initdb,
      ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
      user,
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await getFreePort();
  const args = ["-D", data, "-h", LOOPBACK, "-p", String(port), "-k", dir];
  // A throwaway cluster: no durability needed.
  args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const child = spawn(binaries.postgres, args, { ...user, stdio: ["ignore", "ignore", "pipe"] });
  const entry = { child, dir };
  live.add(entry);
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = `postgres exited (code ${code}, signal ${signal}): ${tail.trim()}`;
      resolve();
    }),
  );
  const url = `postgres://postgres@${LOOPBACK}:${port}/postgres`;
  const close = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill("SIGINT"); // fast shutdown
      await withTimeout(gone, 10_000, "postgres did not stop").catch(() => child.kill("SIGKILL"));
    }
    live.delete(entry);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pollUntil(() => answers(url), `postgres on port ${port} did not answer`, {
      timeoutMs: 30_000,
      intervalMs: 100,
      abortReason: () => exited,
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { url, source: "binary", close };
}

/** Whether a query gets an answer. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * POSTGRES_URL → local binaries. Under CI a missing PostgreSQL rejects (naming what was tried);
 * otherwise it resolves `undefined` after calling `onUnavailable`.
 */
export async function resolvePostgres(
  options: { env?: Env; onUnavailable?: (message: string) => void } = {},
): Promise<PostgresService | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = env[POSTGRES_URL_VAR]?.trim();
  if (fromEnv !== undefined && fromEnv !== "") {
    return { url: fromEnv, source: "env", close: async () => undefined };
  }
  const tried = [`${POSTGRES_URL_VAR} not set`];
  const binaries = findPostgresBinaries(env);
  if (binaries === undefined) {
    tried.push("no initdb + postgres in /usr/lib/postgresql/*/bin or on PATH");
  } else {
    try {
      return await startPostgres(binaries);
    } catch (err) {
      tried.push(`${binaries.postgres} failed to start: ${(err as Error).message}`);
    }
  }
  const message = `postgres is unavailable for tests. Tried: ${tried.join("; ")}`;
  if (isCi(env)) {
    throw new Error(`${message}. CI requires it: install Debian's postgresql (see .ci/run).`);
  }
  options.onUnavailable?.(message);
  return undefined;
}
