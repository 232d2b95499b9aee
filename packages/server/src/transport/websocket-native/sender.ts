// Server WebSocket frames (RFC 6455 §5.2): unmasked, FIN set, no extension. Data frames come
// pre-built from EncodedPacket (one frame shared by every session of a broadcast); this file
// writes a batch of them in one corked write, and builds the control frames (pong, close).
import type { Duplex } from "node:stream";
import type { OutboundPacket } from "../transport.js";

export const OP_CLOSE = 0x8;
export const OP_PONG = 0xa;

/** A control frame (payload ≤ 125 bytes, which the receiver and `closeFrame` guarantee). */
export function controlFrame(opcode: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = payload.length;
  frame.set(payload, 2);
  return frame;
}

/** A close frame: no payload without a code, else the code and the UTF-8 reason (≤ 123 bytes). */
export function closeFrame(code: number | undefined, reason = ""): Buffer {
  if (code === undefined) return controlFrame(OP_CLOSE, Buffer.alloc(0));
  const text = Buffer.from(reason);
  const payload = Buffer.allocUnsafe(2 + Math.min(text.length, 123));
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2, 0, payload.length - 2);
  return controlFrame(OP_CLOSE, payload);
}

/** Most bytes of small frames joined into one buffer per batch (see writePacketFrames). */
const JOINED_MAX_BYTES = 1024 * 1024;

/**
 * Writes the frames of `packets` to `socket`, in order; `onWritten` runs once with the last
 * write's outcome. One packet up to 16 KiB: one buffer, one write. Several, each up to 16 KiB
 * and up to 1 MiB in all: their frames written into one buffer, one write (a restore's 1,000
 * missed events, a burst's packets of one tick: a `write` call per frame cost more than the
 * copy). Otherwise the writes are corked so that the batch leaves in one `writev`.
 */
export function writePacketFrames(
  socket: Duplex,
  packets: readonly OutboundPacket[],
  supportsBinary: boolean,
  onWritten: (error?: Error | null) => void,
): void {
  const last = packets.length - 1;
  if (last === 0) {
    const single = (packets[0] as OutboundPacket).encoded.wsFrameBuffer(supportsBinary);
    if (single !== undefined) {
      socket.write(single, onWritten);
      return;
    }
  }
  const joined = joinedFrames(packets, supportsBinary);
  if (joined !== undefined) {
    socket.write(joined, onWritten);
    return;
  }
  socket.cork();
  for (let i = 0; i <= last; i++) {
    const frame = (packets[i] as OutboundPacket).encoded.wsFrame(supportsBinary);
    for (let j = 0; j < frame.length; j++) {
      const isLastChunk = i === last && j === frame.length - 1;
      socket.write(frame[j] as Buffer, isLastChunk ? onWritten : undefined);
    }
  }
  socket.uncork();
}

/** The frames of `packets` in one buffer, or undefined when one is too large or all are. */
function joinedFrames(
  packets: readonly OutboundPacket[],
  supportsBinary: boolean,
): Buffer | undefined {
  let total = 0;
  for (const { encoded } of packets) {
    const length = encoded.joinableFrameLength(supportsBinary);
    if (length === undefined) return undefined;
    total += length;
    if (total > JOINED_MAX_BYTES) return undefined;
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const { encoded } of packets) {
    // A frame is exactly as long as its header says, or the batch goes the other way.
    offset = encoded.writeWsFrameInto(out, offset, supportsBinary);
    if (offset < 0) return undefined;
  }
  return offset === total ? out : undefined;
}
