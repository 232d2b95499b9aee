// Builds the browser bundles of @switchyard/client with esbuild into dist/bundle/:
//   switchyard-client.esm.min.js  ESM, tree-shakable named exports (io, connect, Manager, Socket…)
//   switchyard-client.min.js      IIFE that sets the global `io` (the io() function, as
//                                 socket.io.min.js does), for a plain <script> tag
// Both minified with source maps. Entry: src/index.ts (browser platform; `ws` never enters).
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bundle");

// Internal member names shared between modules: renamed in the minified bundles (the official
// bundles mangle their `_`-prefixed members the same way). Never list a name that crosses the
// package boundary at runtime (DOM/WebSocket properties, wire JSON keys, user-facing API).
const INTERNAL_PROPS =
  /^(emitReserved|emitUntyped|createTransport|setTransport|sendPacket|createCookieJar|createWebSocket|watchPage|hasPingExpired|subscribe|notifyAny|notifyOutgoing|doOpen|doClose|onOpen|onData|onPacket|onError|onClose|pollComplete|jar|_reconnecting|_readyState|_destroy|_packet|_close|setJitter|duration|attempts|register|take|drain|uri|fromQueue|tryCount|pending|withError|owner|request|jitter|args|flags|priorWebsocketSuccess)$/;

const common = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: "es2022",
  platform: "browser",
  conditions: ["source"],
  legalComments: "none",
  mangleProps: INTERNAL_PROPS,
  logLevel: "warning",
};

/** Builds both bundles; returns their paths. */
export async function buildBundles() {
  await mkdir(outdir, { recursive: true });
  const esm = join(outdir, "switchyard-client.esm.min.js");
  const iife = join(outdir, "switchyard-client.min.js");
  await build({
    ...common,
    entryPoints: [join(root, "src", "index.ts")],
    format: "esm",
    outfile: esm,
  });
  await build({
    ...common,
    stdin: {
      contents: 'import { io } from "./src/index.ts"; globalThis.io = io;',
      resolveDir: root,
      sourcefile: "iife-entry.ts",
      loader: "ts",
    },
    format: "iife",
    outfile: iife,
  });
  return { esm, iife };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { esm, iife } = await buildBundles();
  process.stdout.write(`built ${esm}\nbuilt ${iife}\n`);
}
