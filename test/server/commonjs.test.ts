// The CommonJS entry, as the official README uses socket.io: `require("@switchyard/server")` is
// callable with a port or an HTTP server (and options) and carries the named exports. It runs
// from the built package, in a plain `node` process (no source condition).
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnNode } from "../support/line-process.js";

const root = join(import.meta.dirname, "..", "..");

beforeAll(() => {
  if (!existsSync(join(root, "packages/server/dist/index.js"))) {
    throw new Error("the CommonJS entry loads the built package: run `npm run build` first");
  }
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("require('@switchyard/server')", () => {
  it("is a function making a Server from a port or an HTTP server, with the named exports", async () => {
    const fixture = join(import.meta.dirname, "fixtures", "commonjs-entry.cjs");
    const node = spawnNode([fixture, String(await freePort())], { cwd: root, env: process.env });
    const code = await node.exited;
    expect(node.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(node.lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { callable: "function", named: true },
      { form: "port", isServer: true, pingInterval: 12_000, handshake: true },
      { form: "httpServer", isServer: true, same: true, handshake: true },
    ]);
  });
});
