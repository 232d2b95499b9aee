// serveClient: answers GET <path>/socket.io(.esm).min.js (and maps) with the browser bundles of
// @switchyard/client when that package is installed; ETag/304, br/gzip/deflate by Accept-Encoding,
// and the `cors` option's headers, as officially.
import type { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, deflate, gzip } from "node:zlib";
import type { CorsOptions, CorsOptionsDelegate } from "cors";
import { preferredEncoding } from "./http/accept-encoding.js";
import { createCorsMiddleware } from "./http/cors.js";

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

/**
 * The official msgpack-parser bundle: @switchyard/client has no msgpack parser, so there is no
 * such bundle to serve; these names get a 404 that says so (docs/compat.md).
 */
const MSGPACK_FILES: ReadonlySet<string> = new Set([
  "socket.io.msgpack.min.js",
  "socket.io.msgpack.min.js.map",
]);

const MSGPACK_MISSING =
  "socket.io.msgpack.min.js is not served by switchyard: @switchyard/client has no msgpack parser\n";

const ENCODERS = {
  br: promisify(brotliCompress),
  gzip: promisify(gzip),
  deflate: promisify(deflate),
} as const;

type Encoding = keyof typeof ENCODERS | "identity";

/** The encodings offered, in the official server's order of preference. */
const OFFERED: readonly (keyof typeof ENCODERS)[] = ["br", "gzip", "deflate"];

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
 * `<path>/<file>` (GET and HEAD; with `cors`, its headers and the OPTIONS preflight too); every
 * other request goes to the previous listeners (the engine among them).
 */
export function serveClientFiles(
  server: EventEmitter,
  path: string,
  client: ClientPackage,
  cors: false | CorsOptions | CorsOptionsDelegate = false,
): void {
  const cache = new Map<string, Buffer>();
  const corsMiddleware = cors === false ? undefined : createCorsMiddleware(cors);
  const previous = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const file = clientFileOf(req, path, corsMiddleware !== undefined);
    if (file === undefined) {
      for (const listener of previous) listener.call(server, req, res);
      return;
    }
    const answer = (): void => {
      if (MSGPACK_FILES.has(file)) {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end(MSGPACK_MISSING);
        return;
      }
      serve(req, res, client, file, cache).catch(() => {
        if (!res.headersSent) res.writeHead(404);
        res.end();
      });
    };
    // The preflight is answered by the cors middleware itself (it never calls next for it).
    if (corsMiddleware === undefined) answer();
    else corsMiddleware(req, res, answer);
  });
}

function clientFileOf(req: IncomingMessage, path: string, cors: boolean): string | undefined {
  const method = req.method;
  if (method !== "GET" && method !== "HEAD" && !(cors && method === "OPTIONS")) return undefined;
  if (req.url === undefined) return undefined;
  const pathname = req.url.split("?")[0] ?? "";
  if (!pathname.startsWith(`${path}/`)) return undefined;
  const name = pathname.slice(path.length + 1);
  return Object.hasOwn(FILES, name) || MSGPACK_FILES.has(name) ? name : undefined;
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
  const encoding: Encoding =
    preferredEncoding(req.headers["accept-encoding"], OFFERED) ?? "identity";
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
