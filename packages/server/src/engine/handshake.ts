// A new session's handshake. As the official engine prepares it: the protocol revision first
// (code 5), then the engine's `generateId`, synchronous or not, whose result must be a non-empty
// string that no live session uses (code 3, ID_GENERATION_ERROR). Then the open packet, the
// session's first packet: its sid, upgrades, heartbeat and payload limit.
import { encodeOpenPacket } from "@switchyard/protocol";
import { HandshakeError } from "./errors.js";
import type { SessionContext } from "./session-types.js";

/**
 * Checks the protocol version and generates the sid; `onReady` gets the sid, `onError` the
 * refusal. `isTaken` is asked once the sid is known (after the Promise, when there is one).
 */
export function prepareHandshake(
  query: URLSearchParams,
  generateId: () => string | Promise<string>,
  isTaken: (id: string) => boolean,
  onReady: (id: string) => void,
  onError: (error: HandshakeError) => void,
): void {
  if (query.get("EIO") !== "4") {
    // As officially: any EIO other than "4" (missing included) is read as revision 3.
    onError(new HandshakeError(5, { protocol: 3 }));
    return;
  }
  const idError = (error: unknown): HandshakeError =>
    new HandshakeError(3, { name: "ID_GENERATION_ERROR", error });
  let generated: string | Promise<string>;
  try {
    generated = generateId();
  } catch (error) {
    onError(idError(error));
    return;
  }
  if (typeof generated === "string") {
    acceptId(generated, isTaken, onReady, onError);
    return;
  }
  Promise.resolve(generated).then(
    (id) => acceptId(id, isTaken, onReady, onError),
    (error: unknown) => onError(idError(error)),
  );
}

function acceptId(
  id: unknown,
  isTaken: (id: string) => boolean,
  onReady: (id: string) => void,
  onError: (e: HandshakeError) => void,
): void {
  if (typeof id !== "string" || id.length === 0 || isTaken(id)) {
    onError(new HandshakeError(3, { name: "ID_GENERATION_ERROR", id }));
    return;
  }
  onReady(id);
}

/** The data of session `sid`'s open packet (the JSON after the packet type). */
export function openPacketData(sid: string, context: SessionContext): string {
  const { pingInterval, pingTimeout, maxHttpBufferSize } = context.options;
  const open = encodeOpenPacket({
    sid,
    upgrades: [...context.upgrades],
    pingInterval,
    pingTimeout,
    maxPayload: maxHttpBufferSize,
  });
  return open.slice(1);
}
