// nginx and HAProxy routing by sid tag in front of the bench nodes, for the sticky scenario: their
// configurations come from `switchyard-balancer --print` (the built CLI, as a user would run it)
// with the nodes' real ids and addresses, health checks off (as for the bench balancer) and no
// per-request log; then Debian's binaries run them in the foreground. CPU is read from /proc
// (schedstat: nanoseconds on CPU of every thread; nginx: the master and its worker processes).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type NativeKind = "nginx" | "haproxy";

const ROOT = resolve(import.meta.dirname, "../../..");
const CLI = join(ROOT, "packages/sticky/dist/bin/switchyard-balancer.js");
const SEARCH = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];
/** nginx workers and HAProxy threads: "auto" (their defaults: one per core) or a number. */
const THREADS_VAR = "BENCH_ROUTER_THREADS";

/** The router parallelism of this run. */
export function routerThreads(): string {
  const value = process.env[THREADS_VAR] ?? "auto";
  if (value !== "auto" && !/^[1-9]\d*$/.test(value)) {
    throw new Error(`${THREADS_VAR} must be "auto" or a positive integer, got ${value}`);
  }
  return value;
}

export interface NativeRouter {
  kind: NativeKind;
  url: string;
  /** CPU time of the router's processes and threads so far, µs. */
  cpuUs(): number;
  stop(): Promise<void>;
}

function findBinary(name: string): string {
  for (const dir of [...(process.env["PATH"] ?? "").split(":"), ...SEARCH]) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (apt-get install -y --no-install-recommends ${name})`);
}

/** ns on CPU of every thread of `pid` (0 when it is gone). */
function threadNs(pid: number): number {
  let total = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

/** Process ids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (in parentheses, which may hold spaces): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended
    }
  }
  return found;
}

/** CPU µs of a process, its threads and (for nginx) its child processes. */
export function processTreeCpuUs(pid: number, withChildren: boolean): number {
  const pids = withChildren ? [pid, ...childrenOf(pid)] : [pid];
  return pids.reduce((sum, p) => sum + threadNs(p), 0) / 1000;
}

function generate(format: string, port: number, upstreams: { id: string; url: string }[]): string {
  const args = [CLI, "--print", format, "--port", String(port), "--no-health-check"];
  for (const upstream of upstreams) args.push("--upstream", `${upstream.id}=${upstream.url}`);
  return execFileSync(process.execPath, args, { encoding: "utf8" });
}

function nginxMain(dir: string): string {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
    .join("\n");
  return `daemon off;\nworker_processes ${routerThreads()};\npid ${join(dir, "nginx.pid")};\nerror_log stderr warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n${temp}\n  include ${join(dir, "switchyard.conf")};\n}\n`;
}

async function waitRouting(child: ChildProcess, url: string): Promise<void> {
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    const status = await fetch(`${url}/socket.io/?EIO=4&transport=polling`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${url}: the router did not answer a handshake`);
}

/** A port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts `kind` on a free port of 127.0.0.1 routing to `upstreams` (node id + URL); a port taken
 * between choosing and binding it is retried with a fresh one, three times at most.
 */
export async function startNativeRouter(
  kind: NativeKind,
  upstreams: { id: string; url: string }[],
): Promise<NativeRouter> {
  let failure: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOn(kind, await freePort(), upstreams);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

async function startOn(
  kind: NativeKind,
  port: number,
  upstreams: { id: string; url: string }[],
): Promise<NativeRouter> {
  const bin = findBinary(kind);
  const dir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  let args: string[];
  if (kind === "nginx") {
    const conf = generate("nginx", port, upstreams).replace(
      `listen ${port};`,
      `listen 127.0.0.1:${port};`,
    );
    writeFileSync(join(dir, "switchyard.conf"), conf);
    writeFileSync(join(dir, "nginx.conf"), nginxMain(dir));
    args = ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"];
  } else {
    const threads = routerThreads() === "auto" ? "" : `\n  nbthread ${routerThreads()}`;
    const mapPath = join(dir, "switchyard-sid.map");
    writeFileSync(mapPath, generate("haproxy-map", port, upstreams));
    const cfg = generate("haproxy", port, upstreams)
      .replaceAll("/etc/haproxy/switchyard-sid.map", mapPath)
      .replace(`bind :${port}`, `bind 127.0.0.1:${port}`)
      .replace(/^\s*log stdout .*$/m, "")
      .replace(/^(\s*)maxconn \d+$/m, `$1maxconn 4000${threads}`);
    writeFileSync(join(dir, "haproxy.cfg"), cfg);
    args = ["-db", "-f", join(dir, "haproxy.cfg")];
  }
  const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid ?? 0;
  const stop = async (): Promise<void> => {
    // SIGTERM: fast shutdown; nginx's master takes its workers down.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitRouting(child, url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, url, cpuUs: () => processTreeCpuUs(pid, kind === "nginx"), stop };
}
