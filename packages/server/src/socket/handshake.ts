// The `socket.handshake` object: the details of the first HTTP request plus the CONNECT auth,
// in the exact shape socket.io 4.8 exposes. Built on first read (see Socket), from values that do
// not change over the connection's life: the request, the auth and the creation time.
import type { IncomingHttpHeaders } from "node:http";
import type { TLSSocket } from "node:tls";
import type { EngineSessionLike } from "../connection/engine-session.js";

/** The handshake details of a socket. */
export interface Handshake {
  /** The headers of the first HTTP request of the session. */
  headers: IncomingHttpHeaders;
  /** The date of creation, as a string. */
  time: string;
  /** The IP address of the client. */
  address: string;
  /** Whether the connection is cross-domain (an Origin header was sent). */
  xdomain: boolean;
  /** Whether the connection is secure (TLS). */
  secure: boolean;
  /** The date of creation, in milliseconds since the epoch. */
  issued: number;
  /** The request URL. */
  url: string;
  /** The query parameters of the first request. */
  // biome-ignore lint/suspicious/noExplicitAny: socket.io types the parsed query as ParsedUrlQuery-like any
  query: Record<string, any>;
  /** The auth payload of the CONNECT packet (`{}` when none). */
  // biome-ignore lint/suspicious/noExplicitAny: the auth payload is user-defined, typed any by socket.io
  auth: Record<string, any>;
}

/** Builds the handshake of a socket from its engine session, CONNECT auth and creation time. */
export function buildHandshake(
  session: EngineSessionLike,
  auth: Record<string, unknown>,
  issued: number,
): Handshake {
  const request = session.request;
  const now = new Date(issued);
  return {
    headers: request.headers,
    time: now.toString(),
    address: session.remoteAddress,
    xdomain: Boolean(request.headers.origin),
    secure: (request.socket as TLSSocket | undefined)?.encrypted === true,
    issued: now.getTime(),
    url: request.url ?? "",
    query: request._query ?? parseQuery(request.url ?? ""),
    auth,
  };
}

function parseQuery(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, "https://socket.io").searchParams);
}
