// Polling response compression (`httpCompression`, docs/protocol.md §1.4): gzip or deflate chosen
// from Accept-Encoding, only for bodies of at least `threshold` bytes holding a compress:true packet.
import type { IncomingMessage } from "node:http";
import { deflate, gzip, type ZlibOptions } from "node:zlib";
import type { HttpCompressionOptions } from "../engine/options.js";
import { preferredEncoding } from "../http/accept-encoding.js";

/** The encodings the polling transport offers, in server preference order. */
export type HttpEncoding = "gzip" | "deflate";

/** Picks gzip or deflate from Accept-Encoding by q-value, as officially; undefined for none. */
export function negotiateEncoding(req: IncomingMessage): HttpEncoding | undefined {
  return preferredEncoding(req.headers["accept-encoding"], POLLING_ENCODINGS);
}

const POLLING_ENCODINGS: readonly HttpEncoding[] = ["gzip", "deflate"];

/** Compresses a whole polling body with the chosen encoding. */
export function compressBody(
  encoding: HttpEncoding,
  body: string,
  options: HttpCompressionOptions,
  callback: (error: Error | null, result: Buffer) => void,
): void {
  const { threshold: _threshold, ...zlibOptions } = options;
  const config: ZlibOptions = zlibOptions;
  if (encoding === "gzip") gzip(body, config, callback);
  else deflate(body, config, callback);
}
