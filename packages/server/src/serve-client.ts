// serveClient: answers GET <path>/socket.io(.esm).min.js (and maps) with the browser bundles of
// @switchyard/client when that package is installed; ETag/304 and br/gzip/deflate per request.
import type { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, deflate, gzip } from "node:zlib";

/** Public file name → bundle file of @switchyard/client (official names, then ours). */
const FILES: Readonly<Record<string, string>> = {
  "socket.io.js": "switchyard-client.min.js",
  "socket.io.js.map": "switchyard-client.min.js.map",
  "socket.io.min.js": "switchyard-client.min.js",
  "socket.io.min.js.map": "switchyard-client.min.js.map",
  "socket.io.esm.min.js": "switchyard-client.esm.min.js",
  "socket.io.esm.min.js.map": "switchyard-client.esm.min.js.map",
  "switchyard-client.min.js": "switchyard-client.min.js",
  "switchyard-client.min.js.map": "switchyard-client.min.js.map",
  "switchyard-client.esm.min.js": "switchyard-client.esm.min.js",
  "switchyard-client.esm.min.js.map": "switchyard-client.esm.min.js.map",
};

const ENCODERS = {
  br: promisify(brotliCompress),
  gzip: promisify(gzip),
  deflate: promisify(deflate),
} as const;

type Encoding = keyof typeof ENCODERS | "identity";

interface ClientPackage {
  dir: string;
  version: string;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Where @switchyard/client's bundles are, or undefined when the package is not installed. */
export function findClientPackage(): ClientPackage | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@switchyard/client/package.json");
    const version = (createRequire(import.meta.url)(manifest) as { version: string }).version;
    return { dir: join(dirname(manifest), "dist", "bundle"), version };
  } catch {
    return undefined;
  }
}

/**
 * Puts a listener in front of the server's `request` listeners that serves the client files at
 * `<path>/<file>`; every other request goes to the previous listeners (the engine among them).
 */
export function serveClientFiles(server: EventEmitter, path: string, client: ClientPackage): void {
  const cache = new Map<string, Buffer>();
  const previous = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const file = clientFileOf(req, path);
    if (file === undefined) {
      for (const listener of previous) listener.call(server, req, res);
      return;
    }
    serve(req, res, client, file, cache).catch(() => {
      if (!res.headersSent) res.writeHead(404);
      res.end();
    });
  });
}

function clientFileOf(req: IncomingMessage, path: string): string | undefined {
  if (req.method !== "GET" || req.url === undefined) return undefined;
  const pathname = req.url.split("?")[0] ?? "";
  if (!pathname.startsWith(`${path}/`)) return undefined;
  const name = pathname.slice(path.length + 1);
  return Object.hasOwn(FILES, name) ? name : undefined;
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientPackage,
  name: string,
  cache: Map<string, Buffer>,
): Promise<void> {
  const etag = `"${client.version}"`;
  const headers: Record<string, string> = {
    "Content-Type": name.endsWith(".map")
      ? "application/json; charset=utf-8"
      : "application/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=0",
    ETag: etag,
  };
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch === etag || ifNoneMatch === `W/${etag}`) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const encoding = pickEncoding(req.headers["accept-encoding"]);
  const body = await load(client, FILES[name] ?? name, encoding, cache);
  if (encoding !== "identity") headers["Content-Encoding"] = encoding;
  res.writeHead(200, headers);
  res.end(body);
}

async function load(
  client: ClientPackage,
  file: string,
  encoding: Encoding,
  cache: Map<string, Buffer>,
): Promise<Buffer> {
  const key = `${file}:${encoding}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const raw = await readFile(join(client.dir, file));
  const body = encoding === "identity" ? raw : await ENCODERS[encoding](raw);
  cache.set(key, body);
  return body;
}

/** br, then gzip, then deflate, as the official server prefers them. */
function pickEncoding(accept: string | undefined): Encoding {
  if (accept === undefined) return "identity";
  const accepted = accept.split(",").map((part) => part.split(";")[0]?.trim() ?? "");
  for (const encoding of ["br", "gzip", "deflate"] as const) {
    if (accepted.includes(encoding)) return encoding;
  }
  return "identity";
}
