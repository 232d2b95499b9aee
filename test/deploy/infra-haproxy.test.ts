// infra/haproxy.cfg, checked by haproxy itself (`haproxy -c`, Debian's haproxy, installed by
// .ci/run): the committed file, a planted mistake, and the localised copy the compose-cluster
// test runs. A missing haproxy is an error naming the install step, never a skip.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCompose, readRepoFile } from "./support/compose.js";
import { HAPROXY_INSTALL, localHaproxyConfig } from "./support/haproxy.js";
import { requireTool, runTool, type ToolResult } from "./support/tools.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-haproxy-check-"));
const committed = readRepoFile("infra/haproxy.cfg");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `haproxy -c` on `text` written to a scratch file. */
function check(text: string, name: string): Promise<ToolResult> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return runTool(requireTool("haproxy", HAPROXY_INSTALL), ["-c", "-f", file]);
}

describe("infra/haproxy.cfg", () => {
  it("is valid for haproxy -c", async () => {
    const result = await check(committed, "committed.cfg");
    expect(result.stderr).not.toMatch(/\[(ALERT|WARNING)\]/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Configuration file is valid");
  });

  it("fails haproxy -c on a planted mistake", async () => {
    const broken = committed.replace("balance roundrobin", "balance round-robin");
    expect(broken).not.toBe(committed);
    const result = await check(broken, "broken.cfg");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ALERT.*balance only supports/);
  });

  it("stays valid with only its addresses localised, and the localiser rejects drift", async () => {
    const local = localHaproxyConfig(committed, {
      frontPort: 18080,
      healthPort: 18404,
      dnsPort: 15353,
      balancerPort: 18555,
    });
    const before = committed.split("\n").map((line) => line.trim());
    const after = local.split("\n").map((line) => line.trim());
    expect(before.filter((line) => !after.includes(line))).toEqual([
      "maxconn 20000",
      "nameserver dns 127.0.0.11:53",
      "bind :8080",
      "server-template balancer 4 balancer:8080 check",
      "bind :8404",
    ]);
    expect(after.filter((line) => !before.includes(line))).toEqual([
      "maxconn 1000",
      "nameserver dns 127.0.0.1:15353",
      "bind 127.0.0.1:18080",
      "server-template balancer 4 balancer:18555 check",
      "bind 127.0.0.1:18404",
    ]);
    const result = await check(local, "local.cfg");
    expect(result.code, result.stderr).toBe(0);
    expect(() =>
      localHaproxyConfig(committed.replace("bind :8080", "bind :9090"), {
        frontPort: 1,
        healthPort: 2,
        dnsPort: 3,
        balancerPort: 4,
      }),
    ).toThrow(/expected one match of .*8080/);
  });

  it("gets from compose the descriptors its maxconn needs (two per connection)", () => {
    const maxconn = Number(/^\s*maxconn (\d+)$/m.exec(committed)?.[1]);
    expect(maxconn).toBeGreaterThan(0);
    const nofile = loadCompose("infra/compose.yaml").services["front"]?.ulimits?.["nofile"];
    const soft = typeof nofile === "number" ? nofile : nofile?.soft;
    expect(soft).toBeGreaterThanOrEqual(2 * maxconn + 100);
  });
});
