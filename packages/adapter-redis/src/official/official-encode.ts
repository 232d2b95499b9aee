// Our Emitter's messages in the official emitters' wire format (official-message.ts describes
// it), for servers running the official @socket.io/redis-adapter (`format: "official"`).
import { Encoder } from "@msgpack/msgpack";
import { type ClusterMessage, EMITTER_UID, MessageType } from "@switchyard/server";
import { officialBroadcastChannel, officialRequestChannel } from "./official-channels.js";

const encoder = new Encoder();

/**
 * `value` with every ArrayBuffer replaced by a Buffer over its bytes: msgpack has no ArrayBuffer
 * type and @msgpack/msgpack would write one as an empty map, where notepack.io (the official
 * nodes' codec) writes its bytes. Arrays and plain objects are copied only where one changes.
 */
function withArrayBuffersAsBytes(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = withArrayBuffersAsBytes(value[i]);
      if (item !== value[i]) out ??= value.slice();
      if (out !== undefined) out[i] = item;
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = withArrayBuffersAsBytes(item);
    if (next !== item) {
      out ??= { ...value };
      out[key] = next;
    }
  }
  return out ?? value;
}

/** Official request types (socket.io redis-adapter's `RequestType`). */
const REQUEST = { REMOTE_JOIN: 2, REMOTE_LEAVE: 3, REMOTE_DISCONNECT: 4, SERVER_SIDE_EMIT: 6 };

/** Where and what to publish for `message` (an emitter's: broadcast, rooms, server-side emit). */
export function encodeOfficial(
  key: string,
  message: ClusterMessage,
): { channel: string; payload: Buffer } {
  const nsp = message.nsp;
  const requests = officialRequestChannel(key, nsp);
  const json = (value: unknown): { channel: string; payload: Buffer } => ({
    channel: requests,
    payload: Buffer.from(JSON.stringify(value)),
  });
  switch (message.type) {
    case MessageType.BROADCAST: {
      const { opts, packet } = message.data;
      // Emitters publish the object form only (the encoded form is a node's, see wire-packet.ts).
      if (packet === undefined) throw new TypeError("an emitter never sends an encoded broadcast");
      const [room] = opts.rooms;
      const channel = officialBroadcastChannel(
        key,
        nsp,
        opts.rooms.length === 1 ? room : undefined,
      );
      const wire = [
        EMITTER_UID,
        { type: packet.type, data: withArrayBuffersAsBytes(packet.data), nsp },
        { rooms: opts.rooms, flags: opts.flags, except: opts.except },
      ];
      return { channel, payload: Buffer.from(encoder.encode(wire)) };
    }
    case MessageType.SOCKETS_JOIN:
    case MessageType.SOCKETS_LEAVE: {
      const type =
        message.type === MessageType.SOCKETS_JOIN ? REQUEST.REMOTE_JOIN : REQUEST.REMOTE_LEAVE;
      const { opts, rooms } = message.data;
      return json({ type, opts: { rooms: opts.rooms, except: opts.except }, rooms });
    }
    case MessageType.DISCONNECT_SOCKETS: {
      const { opts, close } = message.data;
      const wireOpts = { rooms: opts.rooms, except: opts.except };
      return json({ type: REQUEST.REMOTE_DISCONNECT, opts: wireOpts, close });
    }
    case MessageType.SERVER_SIDE_EMIT:
      return json({ uid: EMITTER_UID, type: REQUEST.SERVER_SIDE_EMIT, data: message.data.packet });
    default:
      throw new TypeError(`an emitter never sends message type ${message.type}`);
  }
}
