// Polling response compression (`httpCompression`, protocol.md §1.4): gzip or deflate chosen
// from Accept-Encoding, only for bodies of at least `threshold` bytes holding a compress:true packet.
import type { IncomingMessage } from "node:http";
import { deflate, gzip, type ZlibOptions } from "node:zlib";
import type { HttpCompressionOptions } from "../options.js";

/** The encodings the polling transport offers, in server preference order. */
export type HttpEncoding = "gzip" | "deflate";

function qualityOf(params: readonly string[]): number {
  for (const param of params) {
    const [key, value] = param.trim().split("=");
    if (key?.trim() === "q" && value !== undefined) return Number.parseFloat(value) || 0;
  }
  return 1;
}

/** Picks gzip or deflate from Accept-Encoding by q-value (ties go to gzip); undefined for none. */
export function negotiateEncoding(req: IncomingMessage): HttpEncoding | undefined {
  const header = req.headers["accept-encoding"];
  if (typeof header !== "string" || header.length === 0) return undefined;
  const quality: Record<HttpEncoding, number | undefined> = { gzip: undefined, deflate: undefined };
  let wildcard: number | undefined;
  for (const part of header.split(",")) {
    const [rawName = "", ...params] = part.trim().split(";");
    const name = rawName.trim().toLowerCase();
    if (name === "gzip" || name === "deflate") quality[name] = qualityOf(params);
    else if (name === "*") wildcard = qualityOf(params);
  }
  const gzipQ = quality.gzip ?? wildcard ?? 0;
  const deflateQ = quality.deflate ?? wildcard ?? 0;
  if (gzipQ <= 0 && deflateQ <= 0) return undefined;
  return gzipQ >= deflateQ ? "gzip" : "deflate";
}

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
