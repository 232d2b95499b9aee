// `ws`'s own Receiver as the reference for the property tests of our frame parsers (the server's
// and the Node client's): what it reports for a stream of chunks, as a list of events that our
// parsers' sinks can produce too.
import * as ws from "ws";

/** What a parser reported, in order; it stops at the first close frame or error. */
export type ReceiverEvent =
  | ["text", string]
  | ["binary", string]
  | ["ping", string]
  | ["close", number, string]
  | ["error", string, number];

/** `ws`'s Receiver (not in its typings): a Writable fed the socket's bytes. */
interface WsReceiver {
  write(chunk: Buffer): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
const WsReceiverClass = (
  ws as unknown as { Receiver: new (options: Record<string, unknown>) => WsReceiver }
).Receiver;

/** The close status `ws` attaches to a protocol error (-1: none). */
function closeStatusOf(error: Error): number {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === "status-code");
  return symbol === undefined ? -1 : ((error as unknown as Record<symbol, number>)[symbol] ?? -1);
}

/**
 * What `ws`'s Receiver reports for `chunks`: as a server's (`isServer`: client frames, masked) or
 * a client's, with `maxPayload` (0: no limit). Each chunk is copied (a server unmasks in place).
 */
export async function runWsReceiver(
  chunks: readonly Buffer[],
  options: { isServer: boolean; maxPayload: number },
): Promise<ReceiverEvent[]> {
  const events: ReceiverEvent[] = [];
  let done = false;
  const receiver = new WsReceiverClass({ ...options, binaryType: "nodebuffer" });
  receiver.on("message", (data: Buffer, isBinary: boolean) => {
    events.push(isBinary ? ["binary", data.toString("hex")] : ["text", data.toString()]);
  });
  receiver.on("ping", (data: Buffer) => events.push(["ping", data.toString("hex")]));
  receiver.on("conclude", (code: number, reason: Buffer) => {
    done = true;
    events.push(["close", code, reason.toString()]);
  });
  receiver.on("error", (error: Error & { code: string }) => {
    done = true;
    events.push(["error", error.code, closeStatusOf(error)]);
  });
  for (const chunk of chunks) {
    // After a close frame or an error, ws stops reading the socket; our parsers ignore the rest.
    if (done) break;
    receiver.write(Buffer.from(chunk));
    // ws reports write errors on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return events;
}
