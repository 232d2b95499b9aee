// The browser bundles: built by packages/client/scripts/bundle.mjs, within the size budget
// (minified IIFE ≤ 0.7 × the official socket.io.min.js, both under gzip -9), free of Node code.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const official = join(root, "node_modules", "socket.io-client", "dist", "socket.io.min.js");

function gzip9(data: Buffer): number {
  return gzipSync(data, { level: 9 }).length;
}

describe("browser bundles", () => {
  let iife: Buffer;
  let esm: Buffer;

  beforeAll(async () => {
    const script = join(root, "packages", "client", "scripts", "bundle.mjs");
    const { buildBundles } = (await import(script)) as {
      buildBundles: () => Promise<{ iife: string; esm: string }>;
    };
    const paths = await buildBundles();
    iife = await readFile(paths.iife);
    esm = await readFile(paths.esm);
  });

  // Budget (issue 5): the IIFE at most 0.7 × the official bundle under gzip -9. Met on
  // 2026-11-25 (0.699: 10,338 B against a budget of 10,360 B). Lower RATCHET whenever the bundle
  // shrinks; never raise it.
  const RATCHET = 0.7;

  it(`keeps the minified IIFE within ${RATCHET} × the official socket.io.min.js under gzip -9`, async () => {
    const ours = gzip9(iife);
    const theirs = gzip9(await readFile(official));
    console.log(
      `IIFE gzip -9: ${ours} B (raw ${iife.length} B); official socket.io.min.js: ${theirs} B; ratio ${(ours / theirs).toFixed(3)}`,
    );
    expect(ours).toBeLessThanOrEqual(Math.floor(theirs * RATCHET));
  });

  it("sets the global io to the lookup function carrying Manager, Socket and connect", () => {
    const scope: { io?: unknown } = {};
    new Function("globalThis", iife.toString("utf8"))(scope);
    const io = scope.io as { Manager?: unknown; Socket?: unknown; connect?: unknown; io?: unknown };
    expect(typeof io).toBe("function");
    expect(typeof io.Manager).toBe("function");
    expect(typeof io.Socket).toBe("function");
    expect(io.connect).toBe(io);
    expect(io.io).toBe(io);
  });

  it("keeps readable error names although minification renames the classes", () => {
    for (const bundle of [iife, esm]) {
      const text = bundle.toString("utf8");
      expect(text).toContain('"ClientError"');
      expect(text).toContain('"ProtocolError"');
    }
  });

  it("ships no Node-only code (no ws package, no require, no node: modules)", () => {
    for (const bundle of [iife, esm]) {
      const text = bundle.toString("utf8");
      expect(text).not.toMatch(/require\(|from"ws"|"node:|import\("ws"\)/);
    }
  });

  it("exports the public names from the ESM bundle", () => {
    const tail = esm.toString("utf8").slice(-400);
    for (const name of ["io", "connect", "Manager", "Socket", "protocol"]) {
      expect(tail).toMatch(new RegExp(`as ${name}[,}]`));
    }
  });
});
