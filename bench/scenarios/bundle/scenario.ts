// bundle: the minified browser IIFE of @switchyard/client against the official
// socket.io-client dist/socket.io.min.js, both under gzip -9 (deterministic: one sample each).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { metric, record } from "../../lib/metric.js";
import type { Scenario } from "../../lib/scenario.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

export const scenario: Scenario = {
  name: "bundle",
  description:
    "gzip -9 size of the minified browser IIFE (official: socket.io-client dist/socket.io.min.js)",
  async run() {
    const script = join(ROOT, "packages", "client", "scripts", "bundle.mjs");
    const { buildBundles } = (await import(script)) as {
      buildBundles: () => Promise<{ iife: string }>;
    };
    const { iife } = await buildBundles();
    const ours = await readFile(iife);
    const theirs = await readFile(
      join(ROOT, "node_modules", "socket.io-client", "dist", "socket.io.min.js"),
    );
    const gzip = metric("IIFE gzip -9", "B", { target: 0.7 });
    record(gzip, "switchyard", gzipSync(ours, { level: 9 }).length);
    record(gzip, "official", gzipSync(theirs, { level: 9 }).length);
    const raw = metric("IIFE minified", "B");
    record(raw, "switchyard", ours.length);
    record(raw, "official", theirs.length);
    return [gzip, raw];
  },
};
