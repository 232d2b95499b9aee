// Request verification in the official order (docs/protocol.md §1.5): transport → Origin → sid
// checks → for a handshake: method, an upgrade transport without upgrade, allowRequest. Never
// throws. What a transport is served by comes from the registry (transport/registry.ts).
import type { IncomingMessage } from "node:http";
import type { TransportKind } from "../transport/kind.js";
import type { TransportName } from "../transport/names.js";
import { TRANSPORTS } from "../transport/registry.js";
import { EngineErrorNumber, HandshakeError } from "./errors.js";
import type { ResolvedEngineOptions } from "./options.js";

/** What verification needs to know about live sessions. */
export interface SessionLookup {
  /** The current transport name of a live session, or undefined for an unknown sid. */
  transportOf(sid: string): string | undefined;
}

// Characters a header value may not hold (RFC 7230 field-value, as Node checks it).
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** The requested transport and its registry entry, when it is one of the enabled ones. */
function enabledKind(
  query: URLSearchParams,
  options: ResolvedEngineOptions,
): { name: TransportName; kind: TransportKind } | undefined {
  const requested = query.get("transport");
  const name = options.transports.find((enabled) => enabled === requested);
  return name === undefined ? undefined : { name, kind: TRANSPORTS[name] };
}

/**
 * Verifies one request; calls back with undefined when it may proceed, or the error to answer.
 * `upgrade` is true for a WebSocket upgrade request.
 */
export function verifyRequest(
  req: IncomingMessage,
  query: URLSearchParams,
  upgrade: boolean,
  options: ResolvedEngineOptions,
  sessions: SessionLookup,
  callback: (error: HandshakeError | undefined) => void,
): void {
  const enabled = enabledKind(query, options);
  if (enabled === undefined || (upgrade && !enabled.kind.handlesUpgrade)) {
    callback(
      new HandshakeError(EngineErrorNumber.UNKNOWN_TRANSPORT, {
        transport: query.get("transport"),
      }),
    );
    return;
  }
  const { name: transport, kind } = enabled;
  const origin = req.headers.origin;
  if (typeof origin === "string" && INVALID_HEADER_CHAR.test(origin)) {
    callback(new HandshakeError(EngineErrorNumber.BAD_REQUEST, { name: "INVALID_ORIGIN", origin }));
    return;
  }
  const sid = query.get("sid");
  if (sid !== null) {
    const previousTransport = sessions.transportOf(sid);
    if (previousTransport === undefined) {
      callback(new HandshakeError(EngineErrorNumber.UNKNOWN_SID, { sid }));
    } else if (!upgrade && previousTransport !== transport) {
      callback(
        new HandshakeError(EngineErrorNumber.BAD_REQUEST, {
          name: "TRANSPORT_MISMATCH",
          transport,
          previousTransport,
        }),
      );
    } else {
      callback(undefined);
    }
    return;
  }
  if (req.method !== "GET") {
    callback(new HandshakeError(EngineErrorNumber.BAD_HANDSHAKE_METHOD, { method: req.method }));
    return;
  }
  if (kind.handlesUpgrade && !upgrade) {
    callback(
      new HandshakeError(EngineErrorNumber.BAD_REQUEST, { name: "TRANSPORT_HANDSHAKE_ERROR" }),
    );
    return;
  }
  const allowRequest = options.allowRequest;
  if (allowRequest === undefined) {
    callback(undefined);
    return;
  }
  let answered = false;
  try {
    allowRequest(req, (message, success) => {
      if (answered) return;
      answered = true;
      callback(
        success
          ? undefined
          : new HandshakeError(
              EngineErrorNumber.FORBIDDEN,
              typeof message === "string" ? { message } : {},
            ),
      );
    });
  } catch (error) {
    if (!answered) {
      answered = true;
      callback(new HandshakeError(EngineErrorNumber.FORBIDDEN, { error }));
    }
  }
}
