// Wire frames of the replay server: the pre-encoded Engine.IO/Socket.IO packets of the pushed
// events, WebSocket framing (server side: unmasked) and the incremental parser of the clients'
// masked frames. Pure.
import { serverFrame } from "../../lib/ws-frame.js";
import { BINARY_EVENT, BINARY_EVERY, binaryPayload, TEXT_EVENT, textPayload } from "./load.js";

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;

/** A text frame. */
export function wsText(text: string): Buffer {
  return serverFrame(OP_TEXT, Buffer.from(text));
}

const CHUNK = Buffer.alloc(256, 7);
const PLACEHOLDER = { _placeholder: true, num: 0 };

/** The Engine.IO packets (as text, `b…` for binary) of pushed event `seq`. */
export function eventPackets(seq: number): { text: string; binary?: Buffer } {
  if (seq % BINARY_EVERY === BINARY_EVERY - 1) {
    const data = JSON.stringify([
      BINARY_EVENT,
      { ...binaryPayload(seq, CHUNK), chunk: PLACEHOLDER },
    ]);
    return { text: `451-${data}`, binary: CHUNK };
  }
  return { text: `42${JSON.stringify([TEXT_EVENT, textPayload(seq)])}` };
}

/** Events [from, to) as one buffer of WebSocket frames (a single socket write). */
export function wsBurst(from: number, to: number): Buffer {
  const frames: Buffer[] = [];
  for (let seq = from; seq < to; seq++) {
    const { text, binary } = eventPackets(seq);
    frames.push(wsText(text));
    if (binary !== undefined) frames.push(serverFrame(OP_BINARY, binary));
  }
  return Buffer.concat(frames);
}

/** Events [from, to) as Engine.IO polling packets (binary as base64), to join with \x1e. */
export function pollingPackets(from: number, to: number): string[] {
  const packets: string[] = [];
  for (let seq = from; seq < to; seq++) {
    const { text, binary } = eventPackets(seq);
    packets.push(text);
    if (binary !== undefined) packets.push(`b${binary.toString("base64")}`);
  }
  return packets;
}

/** Incremental parser of client frames (masked); calls `onText` per text frame, `onClose` once. */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  readonly #onText: (text: string) => void;
  readonly #onClose: () => void;

  constructor(onText: (text: string) => void, onClose: () => void) {
    this.#onText = onText;
    this.#onClose = onClose;
  }

  push(chunk: Buffer): void {
    const b = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (let frame = readFrame(b, offset); frame !== undefined; frame = readFrame(b, offset)) {
      offset = frame.end;
      if (frame.opcode === OP_TEXT) this.#onText(frame.payload.toString());
      else if (frame.opcode === OP_CLOSE) {
        this.#onClose();
        return;
      }
    }
    this.#buffer = b.subarray(offset);
  }
}

/** The whole frame at `offset` (unmasked), or undefined while it is incomplete. */
function readFrame(
  b: Buffer,
  offset: number,
): { opcode: number; payload: Buffer; end: number } | undefined {
  if (b.length - offset < 2) return undefined;
  const second = b[offset + 1] as number;
  let length = second & 0x7f;
  let header = 2;
  if (length === 126) {
    header = 4;
    length = b.length - offset < header ? -1 : b.readUInt16BE(offset + 2);
  } else if (length === 127) {
    header = 10;
    length = b.length - offset < header ? -1 : Number(b.readBigUInt64BE(offset + 2));
  }
  const masked = (second & 0x80) !== 0;
  const start = offset + header + (masked ? 4 : 0);
  if (length < 0 || b.length < start + length) return undefined;
  const payload = Buffer.from(b.subarray(start, start + length));
  if (masked) {
    for (let i = 0; i < length; i++) {
      payload[i] = (payload[i] as number) ^ (b[start - 4 + (i & 3)] as number);
    }
  }
  return { opcode: (b[offset] as number) & 0x0f, payload, end: start + length };
}
