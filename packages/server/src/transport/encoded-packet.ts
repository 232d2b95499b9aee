// A packet encoded once for many sessions (broadcast fan-out): the polling text, the WebSocket
// data and the WebSocket frame are each computed on first use and then shared by every session.
import {
  type BinaryData,
  type EnginePacket,
  type EnginePacketType,
  encodeEnginePacket,
} from "@switchyard/protocol";
import * as wsModule from "ws";
import { InvalidArgumentError } from "../engine/errors.js";

/** Options of `ws`'s public `Sender.frame(data, options)` static (absent from @types/ws). */
interface FrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
}

interface SenderStatic {
  frame(data: Buffer, options: FrameOptions): Buffer[];
}

// `Sender` is a public export of ws (index.js and the ESM wrapper.mjs); only its typing is missing
// from @types/ws, so the cast narrows to the one static we use.
const Sender = (wsModule as unknown as { Sender: SenderStatic }).Sender;

const OPCODE_TEXT = 0x1;
/** "4", an Engine.IO message. */
const MESSAGE_DIGIT = 0x34;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;
/** Payloads up to this size are framed into one buffer (one `write`, no cork, no `writev`). */
const SINGLE_BUFFER_MAX_BYTES = 16 * 1024;

/** Bytes of the header of a frame of `byteLength` payload bytes (at most 16-bit length here). */
function frameHeaderLength(byteLength: number): number {
  return byteLength < 126 ? 2 : 4;
}

/**
 * Writes the header of an unmasked, uncompressed, final frame (RFC 6455 §5.2) at `at` of `out`
 * and returns where its payload starts.
 */
function writeFrameHeader(out: Buffer, at: number, text: boolean, byteLength: number): number {
  out[at] = FIN | (text ? OPCODE_TEXT : OPCODE_BINARY);
  if (byteLength < 126) {
    out[at + 1] = byteLength;
    return at + 2;
  }
  out[at + 1] = 126;
  out.writeUInt16BE(byteLength, at + 2);
  return at + 4;
}

/**
 * One unmasked, uncompressed, final frame in a single buffer: the header followed by the
 * payload, a string being encoded straight into place.
 */
function singleBufferFrame(data: string | Buffer, byteLength: number): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderLength(byteLength) + byteLength);
  const offset = writeFrameHeader(frame, 0, typeof data === "string", byteLength);
  if (typeof data === "string") frame.write(data, offset, byteLength, "utf8");
  else data.copy(frame, offset);
  return frame;
}

/** Turns any binary view into a Buffer without copying. */
export function toBuffer(data: BinaryData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("Blob data cannot be sent by the Node server");
}

/** One outbound Engine.IO packet with its lazily computed, memoised encodings. */
export class EncodedPacket {
  readonly packet: EnginePacket;
  #pollingText: string | undefined;
  #wsData: string | Buffer | undefined;
  #wsBase64: string | undefined;
  #wsFrame: readonly Buffer[] | undefined;
  #wsBase64Frame: readonly Buffer[] | undefined;
  /** null: too large for one buffer. */
  #wsFrameBuffer: Buffer | null | undefined;
  #wsBase64FrameBuffer: Buffer | null | undefined;
  #size: number | undefined;

  /**
   * @throws InvalidArgumentError (SY_ERR_SERVER_INVALID_ARGUMENT) for Blob data: it cannot be
   * encoded synchronously, and failing here, at the caller, beats an exception in a later flush.
   */
  constructor(type: EnginePacketType, data?: string | BinaryData) {
    if (typeof Blob === "function" && data instanceof Blob) {
      throw new InvalidArgumentError("Blob data cannot be sent by the Node server: send its bytes");
    }
    this.packet = data === undefined ? { type } : { type, data };
  }

  /** Text form for a polling payload (binary as `b<base64>`). */
  pollingText(): string {
    this.#pollingText ??= encodeEnginePacket(this.packet, false) as string;
    return this.#pollingText;
  }

  /** True when the data is binary (sent as a binary frame when the peer supports it). */
  get isBinary(): boolean {
    const data = this.packet.data;
    return data !== undefined && typeof data !== "string";
  }

  /**
   * Size in bytes (UTF-8 for text, plus the type digit), for backpressure accounting. Memoised:
   * a broadcast packet is measured once, not once per session.
   */
  get sizeHint(): number {
    if (this.#size !== undefined) return this.#size;
    const data = this.packet.data;
    if (data === undefined) this.#size = 1;
    else if (typeof data === "string") this.#size = Buffer.byteLength(data) + 1;
    else this.#size = data instanceof Blob ? data.size : data.byteLength;
    return this.#size;
  }

  /** What one WebSocket message carries: raw bytes, or text (`b<base64>` without binary support). */
  wsData(supportsBinary: boolean): string | Buffer {
    if (this.isBinary && !supportsBinary) {
      this.#wsBase64 ??= this.pollingText();
      return this.#wsBase64;
    }
    if (this.#wsData === undefined) {
      const encoded = encodeEnginePacket(this.packet, true);
      this.#wsData = typeof encoded === "string" ? encoded : toBuffer(encoded);
    }
    return this.#wsData;
  }

  /** The complete unmasked, uncompressed WebSocket frame (header + payload buffers). */
  wsFrame(supportsBinary: boolean): readonly Buffer[] {
    const asBase64 = this.isBinary && !supportsBinary;
    const cached = asBase64 ? this.#wsBase64Frame : this.#wsFrame;
    if (cached !== undefined) return cached;
    const frame = this.#senderFrame(this.wsData(supportsBinary));
    if (asBase64) this.#wsBase64Frame = frame;
    else this.#wsFrame = frame;
    return frame;
  }

  /**
   * The same frame in one buffer (one `write`, no cork, no `writev`), for a packet that leaves
   * alone; undefined past 16 KiB of payload, where copying would cost more than it saves.
   */
  wsFrameBuffer(supportsBinary: boolean): Buffer | undefined {
    const asBase64 = this.isBinary && !supportsBinary;
    const cached = asBase64 ? this.#wsBase64FrameBuffer : this.#wsFrameBuffer;
    if (cached !== undefined) return cached === null ? undefined : cached;
    const data = this.wsData(supportsBinary);
    const byteLength = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    const frame =
      byteLength <= SINGLE_BUFFER_MAX_BYTES ? singleBufferFrame(data, byteLength) : null;
    if (asBase64) this.#wsBase64FrameBuffer = frame;
    else this.#wsFrameBuffer = frame;
    return frame === null ? undefined : frame;
  }

  /**
   * The size of the frame {@link writeWsFrameInto} writes, or undefined when the packet is not
   * written that way (a payload past 16 KiB goes in its own buffers).
   */
  joinableFrameLength(supportsBinary: boolean): number | undefined {
    const payload = this.#wsPayloadLength(supportsBinary);
    if (payload > SINGLE_BUFFER_MAX_BYTES) return undefined;
    return frameHeaderLength(payload) + payload;
  }

  /**
   * Writes the frame into `out` at `offset` (room for {@link joinableFrameLength} bytes) and
   * returns where it ends, or -1 when the payload written is not the length its header says
   * (then nothing written may be sent): a batch of small frames then leaves in one buffer, one
   * `write`. A frame built already (a broadcast's, shared by its sessions) is copied; otherwise
   * a text message is encoded straight into place, with no buffer or string of its own.
   */
  writeWsFrameInto(out: Buffer, offset: number, supportsBinary: boolean): number {
    const payload = this.#wsPayloadLength(supportsBinary);
    const end = offset + frameHeaderLength(payload) + payload;
    const asBase64 = this.isBinary && !supportsBinary;
    const built = asBase64 ? this.#wsBase64FrameBuffer : this.#wsFrameBuffer;
    if (built !== undefined && built !== null) {
      return offset + built.copy(out, offset) === end ? end : -1;
    }
    const at = writeFrameHeader(out, offset, !this.isBinary || asBase64, payload);
    const { type, data } = this.packet;
    let written: number;
    if (type === "message" && typeof data === "string" && this.#wsData === undefined) {
      out[at] = MESSAGE_DIGIT;
      written = 1 + out.write(data, at + 1, payload - 1, "utf8");
    } else {
      const wire = this.wsData(supportsBinary);
      written =
        typeof wire === "string" ? out.write(wire, at, payload, "utf8") : wire.copy(out, at);
    }
    return at + written === end ? end : -1;
  }

  /** Bytes of the WebSocket payload (a text message's is its UTF-8 plus the type digit). */
  #wsPayloadLength(supportsBinary: boolean): number {
    const { type, data } = this.packet;
    if (type === "message" && typeof data === "string") return this.sizeHint;
    const wire = this.wsData(supportsBinary);
    return typeof wire === "string" ? Buffer.byteLength(wire) : wire.length;
  }

  #senderFrame(data: string | Buffer): readonly Buffer[] {
    return Sender.frame(typeof data === "string" ? Buffer.from(data) : data, {
      fin: true,
      rsv1: false,
      opcode: typeof data === "string" ? OPCODE_TEXT : OPCODE_BINARY,
      mask: false,
      readOnly: false,
    });
  }
}
