// The committed sid-routing configurations of nginx (infra/nginx/switchyard.conf) and HAProxy
// (infra/haproxy/switchyard.cfg + switchyard-sid.map), run by Debian's nginx and haproxy on free
// loopback ports. Only addresses are rewritten: the listen port, each node's `host:3000` to the
// node's local address, the map file's path to a scratch copy (and haproxy's maxconn lowered to
// this machine's descriptor limit, as for infra/haproxy.cfg). nginx needs an outer nginx.conf
// (the committed file is an `http { }` include): a minimal one here adds the pid file, temp
// directories and an access log of statuses, and includes the localised file as it is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LineProcess, spawnLines } from "../../support/line-process.js";
import { getFreePort } from "../../support/net-probe.js";
import { readRepoFile } from "./compose.js";
import { HAPROXY_INSTALL } from "./haproxy.js";
import { requireTool } from "./tools.js";

export const NGINX_INSTALL = "apt-get install -y --no-install-recommends nginx";
const MAP_PATH = "/etc/haproxy/switchyard-sid.map";

export type RouterKind = "nginx" | "haproxy";

/** Replaces every match of `pattern`; throws unless there are exactly `count` (any when undefined). */
function replaceAll(
  text: string,
  pattern: RegExp,
  replace: (...groups: string[]) => string,
  count?: number,
): string {
  const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
  const found = [...text.matchAll(global)].length;
  if (found === 0 || (count !== undefined && found !== count)) {
    throw new Error(`expected ${count ?? "some"} match(es) of ${pattern}, found ${found}`);
  }
  return text.replace(global, (_whole, ...groups: unknown[]) => replace(...(groups as string[])));
}

/**
 * `host:3000` of every node → its local address (`nodes`: host → 127.0.0.1:port), outside
 * comments (the header's regenerating command stays as committed).
 */
function localNodes(text: string, nodes: ReadonlyMap<string, string>): string {
  let count = 0;
  const out = text
    .split("\n")
    .map((line) => {
      if (line.trimStart().startsWith("#")) return line;
      return line.replace(/\b([a-z][\w-]*):3000\b/g, (_whole, host: string) => {
        const local = nodes.get(host);
        if (local === undefined) throw new Error(`no local address for node ${host}`);
        count++;
        return local;
      });
    })
    .join("\n");
  if (count === 0) throw new Error("no node address (host:3000) to localise");
  return out;
}

/** infra/nginx/switchyard.conf with its listen port and node addresses made local. */
export function localNginxConfig(
  text: string,
  port: number,
  nodes: ReadonlyMap<string, string>,
): string {
  const out = replaceAll(
    text,
    /^(\s*)listen 8080;$/m,
    (indent) => `${indent}listen 127.0.0.1:${port};`,
    1,
  );
  return localNodes(out, nodes);
}

/** infra/haproxy/switchyard.cfg with its bind, node addresses, map path and maxconn made local. */
export function localHaproxySidConfig(
  text: string,
  port: number,
  nodes: ReadonlyMap<string, string>,
  mapPath: string,
): string {
  let out = replaceAll(text, /^(\s*)maxconn \d+$/m, (indent) => `${indent}maxconn 1000`, 1);
  out = replaceAll(out, /^(\s*)bind :8080$/m, (indent) => `${indent}bind 127.0.0.1:${port}`, 1);
  out = replaceAll(out, new RegExp(MAP_PATH.replace(/[.]/g, "\\.")), () => mapPath);
  return localNodes(out, nodes);
}

/** The outer nginx.conf that includes the localised committed file. */
function nginxMain(dir: string, include: string, workers: number): string {
  return [
    "daemon off;",
    `worker_processes ${workers};`,
    `pid ${join(dir, "nginx.pid")};`,
    "error_log stderr notice;",
    "events { worker_connections 1024; }",
    "http {",
    `  client_body_temp_path ${join(dir, "body")};`,
    `  proxy_temp_path ${join(dir, "proxy")};`,
    `  fastcgi_temp_path ${join(dir, "fastcgi")};`,
    `  uwsgi_temp_path ${join(dir, "uwsgi")};`,
    `  scgi_temp_path ${join(dir, "scgi")};`,
    "  log_format statuses '$status $request_method $upstream_addr';",
    `  access_log ${join(dir, "access.log")} statuses;`,
    `  include ${include};`,
    "}",
    "",
  ].join("\n");
}

/** One answer of the router: its status and the node that gave it (nginx: address; haproxy: name). */
export interface RouterAnswer {
  status: number;
  node: string;
}

export interface RunningRouter {
  kind: RouterKind;
  proc: LineProcess;
  url: string;
  /** The router's master process id (nginx forks workers below it). */
  pid: number;
  /** Answers so far (nginx: access log; haproxy: its httplog), oldest first. */
  answers(): RouterAnswer[];
  stop(): Promise<void>;
}

export interface StartRouterOptions {
  /** nginx worker processes (default 1). */
  nginxWorkers?: number;
  /** Keep haproxy's log on stdout (default true: the tests read statuses from it). */
  log?: boolean;
}

/** `GET /healthz` through the router answers 200 (bounded); false when it exited. */
async function waitRouting(proc: LineProcess, url: string): Promise<boolean> {
  for (let i = 0; i < 200 && proc.child.exitCode === null; i++) {
    const status = await fetch(`${url}/healthz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function spawnRouter(
  kind: RouterKind,
  dir: string,
  port: number,
  nodes: ReadonlyMap<string, string>,
  options: StartRouterOptions,
): { proc: LineProcess; answers: () => RouterAnswer[] } {
  if (kind === "nginx") {
    const bin = requireTool("nginx", NGINX_INSTALL);
    const conf = localNginxConfig(readRepoFile("infra/nginx/switchyard.conf"), port, nodes);
    writeFileSync(join(dir, "switchyard.conf"), conf);
    writeFileSync(
      join(dir, "nginx.conf"),
      nginxMain(dir, join(dir, "switchyard.conf"), options.nginxWorkers ?? 1),
    );
    writeFileSync(join(dir, "access.log"), "");
    const proc = spawnLines(bin, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"], {
      cwd: dir,
      env: {},
    });
    const answers = (): RouterAnswer[] =>
      readFileSync(join(dir, "access.log"), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [status = "", , node = ""] = line.split(" ");
          return { status: Number(status), node };
        });
    return { proc, answers };
  }
  const bin = requireTool("haproxy", HAPROXY_INSTALL);
  const mapPath = join(dir, "switchyard-sid.map");
  writeFileSync(mapPath, readRepoFile("infra/haproxy/switchyard-sid.map"));
  let cfg = localHaproxySidConfig(
    readRepoFile("infra/haproxy/switchyard.cfg"),
    port,
    nodes,
    mapPath,
  );
  if (options.log === false) cfg = cfg.replace(/^(\s*)log stdout .*$/m, "$1# log off (bench)");
  writeFileSync(join(dir, "haproxy.cfg"), cfg);
  const proc = spawnLines(bin, ["-db", "-f", join(dir, "haproxy.cfg")], { cwd: dir, env: {} });
  // httplog: `... <backend>/<server> <TR>/<Tw>/<Tc>/<Tr>/<Ta> <status> <bytes> ...`
  const answers = (): RouterAnswer[] =>
    proc.lines.flatMap((line) => {
      const match = / \S+\/(\S+) -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?\d+ (\d{3}) /.exec(line);
      return match ? [{ status: Number(match[2]), node: match[1] ?? "" }] : [];
    });
  return { proc, answers };
}

/**
 * Starts the committed configuration of `kind` in front of `nodes` (compose host → local
 * `127.0.0.1:port`), on a free port; a port taken between choosing and binding it is retried
 * with a fresh one, three times at most.
 */
export async function startRouter(
  kind: RouterKind,
  nodes: ReadonlyMap<string, string>,
  options: StartRouterOptions = {},
): Promise<RunningRouter> {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${kind}-`));
  const failures: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await getFreePort();
    const url = `http://127.0.0.1:${port}`;
    const { proc, answers } = spawnRouter(kind, dir, port, nodes, options);
    if (await waitRouting(proc, url)) {
      return {
        kind,
        proc,
        url,
        pid: proc.child.pid ?? 0,
        answers,
        async stop() {
          // SIGTERM: nginx's and haproxy's fast shutdown (nginx's master takes its workers down;
          // SIGKILL would leave them running).
          if (proc.child.exitCode === null) proc.child.kill("SIGTERM");
          await proc.exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (proc.child.exitCode === null) proc.child.kill("SIGTERM");
    await proc.exited;
    failures.push(proc.stderr.join(" | "));
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${kind} did not start: ${failures.join(" || ")}`);
}
