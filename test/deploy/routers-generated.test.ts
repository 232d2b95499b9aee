// The sid-routing configurations under infra/ and k8s/ are generated, never edited: running
// infra/generate-routers.sh again gives exactly the committed files, and the command each file
// quotes in its header, run as written, gives that file too (so the header can be trusted).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { loadCompose, readRepoFile, serviceEnv } from "./support/compose.js";
import { localHaproxySidConfig, localNginxConfig } from "./support/sid-routers.js";
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

const LOCAL = new Map([
  ["node-1", "127.0.0.1:5001"],
  ["node-2", "127.0.0.1:5002"],
  ["node-3", "127.0.0.1:5003"],
]);

/** Lines of `after` not in `before`, and the other way round (trimmed). */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n").map((line) => line.trim());
  const b = after.split("\n").map((line) => line.trim());
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) };
}

describe("the copies the real-server tests run", () => {
  it("change only the nginx listen port and the node addresses", () => {
    const committed = readRepoFile("infra/nginx/switchyard.conf");
    const { removed, added } = changedLines(committed, localNginxConfig(committed, 18080, LOCAL));
    expect(removed).toEqual([
      "server node-1:3000 max_fails=2 fail_timeout=10s;",
      "server node-2:3000 max_fails=2 fail_timeout=10s;",
      "server node-3:3000 max_fails=2 fail_timeout=10s;",
      "server node-1:3000;",
      "server node-2:3000;",
      "server node-3:3000;",
      "listen 8080;",
    ]);
    expect(added).toEqual([
      "server 127.0.0.1:5001 max_fails=2 fail_timeout=10s;",
      "server 127.0.0.1:5002 max_fails=2 fail_timeout=10s;",
      "server 127.0.0.1:5003 max_fails=2 fail_timeout=10s;",
      "server 127.0.0.1:5001;",
      "server 127.0.0.1:5002;",
      "server 127.0.0.1:5003;",
      "listen 127.0.0.1:18080;",
    ]);
    expect(() =>
      localNginxConfig(committed.replace("listen 8080;", "listen 80;"), 1, LOCAL),
    ).toThrow(/listen 8080/);
  });

  it("change only haproxy's bind, maxconn, node addresses and the map's path", () => {
    const committed = readRepoFile("infra/haproxy/switchyard.cfg");
    const local = localHaproxySidConfig(committed, 18080, LOCAL, "/tmp/x/sid.map");
    const { removed, added } = changedLines(committed, local);
    expect(removed.filter((line) => !line.startsWith("server "))).toEqual([
      "# The map of tags to backends is read from /etc/haproxy/switchyard-sid.map.",
      "maxconn 20000",
      "bind :8080",
      "use_backend %[url_param(sid),map_beg(/etc/haproxy/switchyard-sid.map,switchyard_new_sessions)]",
    ]);
    expect(added.filter((line) => !line.startsWith("server "))).toEqual([
      "# The map of tags to backends is read from /tmp/x/sid.map.",
      "maxconn 1000",
      "bind 127.0.0.1:18080",
      "use_backend %[url_param(sid),map_beg(/tmp/x/sid.map,switchyard_new_sessions)]",
    ]);
    const servers = added.filter((line) => line.startsWith("server "));
    expect(servers).toHaveLength(6);
    for (const line of servers)
      expect(line).toMatch(/^server node-\d 127\.0\.0\.1:500\d( check)?$/);
    expect(() => localHaproxySidConfig(committed, 1, new Map(), "/x")).toThrow(/no local address/);
  });
});

describe("the committed timeouts", () => {
  it("stay above the compose nodes' pingInterval + pingTimeout", () => {
    const env = serviceEnv(loadCompose("infra/compose.yaml").services["node-1"] ?? {});
    const heartbeatS = (Number(env["PING_INTERVAL_MS"]) + Number(env["PING_TIMEOUT_MS"])) / 1000;
    expect(heartbeatS).toBeGreaterThan(0);
    const nginx = readRepoFile("infra/nginx/switchyard.conf");
    const haproxy = readRepoFile("infra/haproxy/switchyard.cfg");
    const found = [
      ...[...nginx.matchAll(/proxy_(?:read|send)_timeout (\d+)s;/g)],
      ...[...haproxy.matchAll(/timeout (?:client|server|tunnel) (\d+)s/g)],
    ].map((match) => Number(match[1]));
    expect(found).toHaveLength(5);
    for (const seconds of found) expect(seconds).toBeGreaterThan(heartbeatS);
  });
});
