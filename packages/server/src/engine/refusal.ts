// How the engine answers a request or an upgrade it refuses: a plain request gets the official
// JSON body `{ code, message }` with the error's status, an upgrade's raw socket a short HTTP
// answer before it is destroyed; both say 429 with `Retry-After: 1` for the address limits.
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { HandshakeError } from "./errors.js";

/** The refusal of a request (or upgrade) whose middleware failed. */
export function middlewareFailure(error: unknown): HandshakeError {
  return new HandshakeError(3, { name: "MIDDLEWARE_FAILURE", error });
}

/** Answers a refused request, unless its response has started or its socket is gone. */
export function answerRefusedRequest(res: ServerResponse, error: HandshakeError): void {
  if (res.headersSent || res.destroyed) return;
  const status = error.status;
  res.writeHead(status, {
    "Content-Type": "application/json",
    ...(status === 429 ? { "Retry-After": "1" } : {}),
  });
  res.end(JSON.stringify({ code: error.engineCode, message: error.clientMessage }));
}

/** Answers a refused upgrade on its socket (when still writable), then destroys the socket. */
export function answerRefusedUpgrade(socket: Duplex, error: HandshakeError): void {
  if (socket.writable) {
    const message = error.clientMessage;
    // As officially, 400 whatever the code; switchyard's address limits answer 429.
    const status =
      error.status === 429 ? "429 Too Many Requests\r\nRetry-After: 1" : "400 Bad Request";
    socket.write(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-type: text/html\r\n` +
        `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }
  socket.destroy();
}
