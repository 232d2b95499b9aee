// Incremental parser of a client's WebSocket frames (RFC 6455 §5), fed the socket's 'data' chunks
// as they come: no Writable stream, no queue of chunks. A frame that lies whole inside a chunk is
// unmasked in place and handed on as a view of the chunk (no copy). A frame split across chunks is
// copied into one buffer that grows by doubling (each byte is copied at most about three times,
// whatever the chunking: a peer sending one byte per TCP segment costs no more memory or copying
// than one big write, and holds no list of chunks), and only a
// header split across chunks goes to a 14-byte scratch buffer.
//
// Rules, checked in the order `ws` checks them so that a frame breaking several gets the same
// close status: RSV bits (no extension is negotiated on this path), opcode (continuation without
// a message, a data frame inside one, control frames without FIN or with more than 125 bytes or
// exactly 1), MASK (every client frame must be masked, §5.1), a 64-bit length above 2^53 - 1,
// `maxPayload` over the whole message, `maxFragments` per message, UTF-8 of each complete text
// message and of close reasons, close codes (§7.4). The first violation stops the parser and goes
// to the sink as a WebSocketProtocolError carrying the close status to send (1002, 1007, 1008 or
// 1009). The header rules but MASK are @switchyard/protocol's frame-header functions, shared with
// the Node client's receiver; the masking rule, the limits and the error reporting are this file's.
import { isUtf8 } from "node:buffer";
import {
  checkFrameStart,
  type FrameFault,
  frameHeaderSize,
  frameLengthEnd,
  isFrameMasked,
  readCloseStatus,
  readFramePayloadLength,
  WebSocketOpcode,
} from "@switchyard/protocol";
import { WebSocketProtocolError, type WebSocketProtocolErrorReason } from "./errors.js";

/** What the parser reports to (the transport implements it). */
export interface ReceiverSink {
  /** A complete text message (valid UTF-8): a view of the socket chunk, or its own buffer. */
  onText(data: Buffer): void;
  /** A complete binary message: a view of the socket chunk (not copied), or its own buffer. */
  onBinary(data: Buffer): void;
  onPing(payload: Buffer): void;
  /** A valid close frame: its status (1005 when it had none) and reason. Parsing has stopped. */
  onCloseFrame(code: number, reason: string): void;
  /** The peer broke the protocol. Parsing has stopped. */
  onProtocolError(error: WebSocketProtocolError): void;
}

/** The receiver's limits. */
export interface ReceiverLimits {
  /** The largest message accepted, in bytes, over all its fragments (0: no limit). */
  readonly maxPayload: number;
  /** The most data frames one message may take (0: no limit). */
  readonly maxFragments: number;
}

const {
  CONTINUATION: OP_CONTINUATION,
  TEXT: OP_TEXT,
  BINARY: OP_BINARY,
  CLOSE: OP_CLOSE,
  PING: OP_PING,
  PONG: OP_PONG,
} = WebSocketOpcode;
/** First capacity of the buffer collecting a payload split across chunks. */
const MIN_COLLECT_BYTES = 4096;

/** XORs `data` with the 4-byte mask `key` (big-endian, as on the wire), in place. */
export function unmask(data: Buffer, key: number): void {
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  const length = data.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    data[i] = (data[i] as number) ^ k0;
    data[i + 1] = (data[i + 1] as number) ^ k1;
    data[i + 2] = (data[i + 2] as number) ^ k2;
    data[i + 3] = (data[i + 3] as number) ^ k3;
  }
  if (i < length) data[i] = (data[i] as number) ^ k0;
  if (i + 1 < length) data[i + 1] = (data[i + 1] as number) ^ k1;
  if (i + 2 < length) data[i + 2] = (data[i + 2] as number) ^ k2;
}

/** One connection's frame parser. */
export class Receiver {
  readonly #sink: ReceiverSink;
  readonly #maxPayload: number;
  readonly #maxFragments: number;
  /** A header split across chunks (created on first need), and how many of its bytes arrived. */
  #head: Buffer | undefined;
  #headLength = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #mask = 0;
  #payloadLength = 0;
  /** A payload split across chunks, its bytes so far (`#collected`); undefined: none. */
  #collect: Buffer | undefined;
  #collected = 0;
  // The fragmented message being assembled (opcode 0: none).
  #messageOpcode = 0;
  #messageLength = 0;
  #fragments: Buffer[] | undefined;
  #stopped = false;

  constructor(sink: ReceiverSink, limits: ReceiverLimits) {
    this.#sink = sink;
    this.#maxPayload = limits.maxPayload;
    this.#maxFragments = limits.maxFragments;
  }

  /** Whether parsing has stopped (a close frame, a protocol error, or `stop()`). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stops parsing: later chunks are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#collect = undefined;
    this.#fragments = undefined;
  }

  /** Parses one chunk of the socket (unmasked in place: the chunk is the receiver's to change). */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.#stopped) {
      if (this.#collect !== undefined) {
        offset = this.#continuePayload(chunk, offset);
        continue;
      }
      let size: number;
      if (
        this.#headLength === 0 &&
        end - offset >= 2 &&
        end - offset >= frameHeaderSize(chunk[offset + 1] as number)
      ) {
        size = this.#readHeader(chunk, offset);
        offset += size;
      } else {
        offset = this.#fillHead(chunk, offset);
        const head = this.#head as Buffer;
        if (offset < 0 || this.#headLength < 2) return;
        size = frameHeaderSize(head[1] as number);
        if (this.#headLength < size) return;
        this.#headLength = 0;
        this.#mask = head.readUInt32BE(size - 4);
      }
      if (size === 0) return;
      const length = this.#payloadLength;
      if (end - offset >= length) {
        const payload = chunk.subarray(offset, offset + length);
        offset += length;
        unmask(payload, this.#mask);
        this.#frame(payload, false);
      } else {
        this.#startCollect(chunk.subarray(offset));
        offset = end;
      }
    }
  }

  /**
   * Copies header bytes into #head until the header is complete or the chunk ends, checking each
   * part as soon as it is there, as `ws` does: the first two bytes, then the length, then the mask
   * key. Returns the new offset, or -1 after a protocol error.
   */
  #fillHead(chunk: Buffer, offset: number): number {
    this.#head ??= Buffer.allocUnsafe(14);
    const head = this.#head;
    let at = offset;
    while (at < chunk.length) {
      head[this.#headLength++] = chunk[at++] as number;
      const filled = this.#headLength;
      if (filled < 2) continue;
      const second = head[1] as number;
      if (filled === 2 && !this.#acceptable(head[0] as number, second)) return -1;
      const lengthEnd = frameLengthEnd(second);
      if (filled === lengthEnd && this.#readLength(head, 0) < 0) return -1;
      if (filled === frameHeaderSize(second)) break;
    }
    return at;
  }

  /** Reads the complete frame header at `at`; returns its size, or 0 on error. */
  #readHeader(src: Buffer, at: number): number {
    const first = src[at] as number;
    const second = src[at + 1] as number;
    if (!this.#acceptable(first, second)) return 0;
    const size = this.#readLength(src, at);
    if (size < 0) return 0;
    this.#mask = src.readUInt32BE(at + size);
    return size + 4;
  }

  /**
   * Reads the frame's FIN, opcode and payload length at `at` (checked by #acceptable), checks the
   * length; returns the size of the header without the mask key, or -1 on error.
   */
  #readLength(src: Buffer, at: number): number {
    const length = readFramePayloadLength(src, at);
    if (typeof length !== "number") {
      this.#refuse(length);
      return -1;
    }
    const first = src[at] as number;
    const opcode = first & 0x0f;
    const max = this.#maxPayload;
    if (opcode < OP_CLOSE && length > 0 && max > 0 && this.#messageLength + length > max) {
      this.#fail("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded", 1009);
      return -1;
    }
    this.#fin = (first & 0x80) !== 0;
    this.#opcode = opcode;
    this.#payloadLength = length;
    return frameLengthEnd(src[at + 1] as number);
  }

  /** Whether a frame with these first two header bytes may come now (else reports the error). */
  #acceptable(first: number, second: number): boolean {
    const fault = checkFrameStart(first, second, this.#messageOpcode !== 0);
    if (fault !== undefined) return this.#refuse(fault) !== 0;
    if (!isFrameMasked(second)) {
      return this.#fail("WS_ERR_EXPECTED_MASK", "MASK must be set", 1002) !== 0;
    }
    return true;
  }

  /** The payload of the current frame is split: collect `first` and what follows. */
  #startCollect(first: Buffer): void {
    const capacity = Math.min(this.#payloadLength, Math.max(MIN_COLLECT_BYTES, first.length * 2));
    const collect = Buffer.allocUnsafe(capacity);
    first.copy(collect, 0);
    this.#collect = collect;
    this.#collected = first.length;
  }

  /** Takes the next bytes of a payload split across chunks. */
  #continuePayload(chunk: Buffer, offset: number): number {
    const length = this.#payloadLength;
    const take = Math.min(length - this.#collected, chunk.length - offset);
    let collect = this.#collect as Buffer;
    const needed = this.#collected + take;
    if (needed > collect.length) {
      const grown = Buffer.allocUnsafe(Math.min(length, Math.max(needed, collect.length * 2)));
      collect.copy(grown, 0, 0, this.#collected);
      collect = grown;
      this.#collect = grown;
    }
    chunk.copy(collect, this.#collected, offset, offset + take);
    this.#collected = needed;
    if (needed === length) {
      this.#collect = undefined;
      this.#collected = 0;
      unmask(collect, this.#mask);
      this.#frame(collect, true);
    }
    return offset + take;
  }

  /** One whole, unmasked frame; `owned`: its own buffer, not a view of a socket chunk. */
  #frame(payload: Buffer, owned: boolean): void {
    const opcode = this.#opcode;
    if (opcode >= OP_CLOSE) {
      this.#control(opcode, payload);
      return;
    }
    if (opcode !== OP_CONTINUATION && this.#fin) {
      this.#message(opcode, payload);
      return;
    }
    if (opcode !== OP_CONTINUATION) this.#messageOpcode = opcode;
    const fragments = this.#fragments ?? [];
    this.#fragments = fragments;
    if (this.#maxFragments > 0 && fragments.length >= this.#maxFragments) {
      this.#fail("WS_ERR_TOO_MANY_BUFFERED_PARTS", "Too many message fragments", 1008);
      return;
    }
    // A view would pin its whole socket chunk until the message ends (16K empty fragments, each
    // in its own 64 KiB chunk, would pin 1 GiB): fragments are copied out.
    fragments.push(owned ? payload : Buffer.from(payload));
    this.#messageLength += payload.length;
    if (!this.#fin) return;
    const message =
      fragments.length === 1
        ? (fragments[0] as Buffer)
        : Buffer.concat(fragments, this.#messageLength);
    const messageOpcode = this.#messageOpcode;
    this.#fragments = undefined;
    this.#messageLength = 0;
    this.#messageOpcode = 0;
    this.#message(messageOpcode, message);
  }

  #message(opcode: number, data: Buffer): void {
    if (opcode === OP_BINARY) this.#sink.onBinary(data);
    else if (opcode === OP_TEXT && isUtf8(data)) this.#sink.onText(data);
    else this.#fail("WS_ERR_INVALID_UTF8", "invalid UTF-8 sequence", 1007);
  }

  #control(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      this.#sink.onPing(payload);
      return;
    }
    if (opcode === OP_PONG) return;
    const code = readCloseStatus(payload, isUtf8);
    if (typeof code !== "number") {
      this.#refuse(code);
      return;
    }
    this.stop();
    this.#sink.onCloseFrame(code, payload.subarray(2).toString());
  }

  /** Stops on a refused frame and reports it; returns 0 (a header size meaning "stop"). */
  #refuse(fault: FrameFault): 0 {
    return this.#fail(fault.reason, fault.message, fault.closeCode);
  }

  /** Stops on a protocol error and reports it; returns 0 (a header size meaning "stop"). */
  #fail(reason: WebSocketProtocolErrorReason, message: string, closeCode: number): 0 {
    this.stop();
    this.#sink.onProtocolError(new WebSocketProtocolError(reason, message, closeCode));
    return 0;
  }
}
