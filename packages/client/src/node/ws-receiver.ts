// Incremental parser of the server's WebSocket frames (RFC 6455 §5), fed the socket's 'data'
// chunks as they come: no Writable stream and no queue of chunks. A frame that lies whole inside
// a chunk is handed on as a view of it (no copy); only a frame split across chunks is collected,
// piece by piece, and joined once when complete, and only a header split across chunks is copied
// (at most 10 bytes). No extension is negotiated, so any RSV bit is an error, and server frames
// must not be masked. Messages, pings and the close frame go to a ReceiverSink; the first protocol
// error stops the parser and goes to the sink as a WebSocketProtocolError. The header rules but
// MASK are @switchyard/protocol's frame-header functions, shared with the server's receiver.
import {
  checkFrameStart,
  type FrameFault,
  frameLengthEnd,
  isFrameMasked,
  readCloseStatus,
  readFramePayloadLength,
  WebSocketOpcode,
} from "@switchyard/protocol";
import { builtin, type NodeBuffer, type NodeBufferModule } from "./ws-builtins.js";
import { WebSocketProtocolError, type WebSocketProtocolErrorCode } from "./ws-errors.js";

/** What the parser reports to (ws-client.ts implements it). */
export interface ReceiverSink {
  onText(text: string): void;
  onBinary(data: NodeBuffer): void;
  onPing(payload: NodeBuffer): void;
  /** A close frame: its status (1005 when it had none) and reason. */
  onCloseFrame(code: number, reason: string): void;
  onProtocolError(err: WebSocketProtocolError): void;
}

const {
  CONTINUATION: OP_CONTINUATION,
  BINARY: OP_BINARY,
  CLOSE: OP_CLOSE,
  PING: OP_PING,
  PONG: OP_PONG,
} = WebSocketOpcode;

/** One connection's frame parser. */
export class Receiver {
  readonly #sink: ReceiverSink;
  readonly #maxPayload: number;
  readonly #buffer: NodeBufferModule;
  /** A header split across chunks, and how many of its bytes arrived. */
  readonly #head: NodeBuffer;
  #headLength = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #payloadLength = 0;
  /** Payload bytes still to come for a frame split across chunks (0: reading a header). */
  #missing = 0;
  #pieces: NodeBuffer[] = [];
  // The fragmented message being assembled (opcode 0: none).
  #messageOpcode = 0;
  #messageLength = 0;
  #fragments: NodeBuffer[] = [];
  #stopped = false;

  /** `maxPayload`: the largest message accepted, in bytes (0: no limit). */
  constructor(sink: ReceiverSink, maxPayload: number) {
    this.#sink = sink;
    this.#maxPayload = maxPayload;
    this.#buffer = builtin("node:buffer");
    this.#head = this.#buffer.Buffer.alloc(10);
  }

  /** Stops parsing: later chunks are ignored (after a close frame or an error). */
  stop(): void {
    this.#stopped = true;
    this.#pieces = [];
    this.#fragments = [];
  }

  /** Parses one chunk of the socket. */
  push(chunk: NodeBuffer): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.#stopped) {
      if (this.#missing > 0) {
        offset = this.#continuePayload(chunk, offset);
        continue;
      }
      // A server frame's header ends with its length: a MASK bit is refused before any key.
      let size: number;
      if (
        this.#headLength === 0 &&
        end - offset >= 2 &&
        end - offset >= frameLengthEnd(chunk[offset + 1] as number)
      ) {
        size = this.#readHeader(chunk, offset);
        offset += size;
      } else {
        offset = this.#fillHead(chunk, offset);
        const head = this.#head;
        if (this.#headLength < 2 || this.#headLength < frameLengthEnd(head[1] as number)) return;
        this.#headLength = 0;
        size = this.#readHeader(head, 0);
      }
      if (size === 0) return;
      const length = this.#payloadLength;
      if (end - offset >= length) {
        this.#frame(chunk.subarray(offset, offset + length));
        offset += length;
      } else {
        this.#pieces.push(chunk.subarray(offset));
        this.#missing = length - (end - offset);
        offset = end;
      }
    }
  }

  /** Copies header bytes into #head until the header is complete or the chunk ends. */
  #fillHead(chunk: NodeBuffer, offset: number): number {
    const head = this.#head;
    let at = offset;
    while (at < chunk.length) {
      head[this.#headLength++] = chunk[at++] as number;
      if (this.#headLength >= 2 && this.#headLength === frameLengthEnd(head[1] as number)) break;
    }
    return at;
  }

  /** Reads the frame header at `at` (all of it is there); returns its size, or 0 on error. */
  #readHeader(src: NodeBuffer, at: number): number {
    const first = src[at] as number;
    const second = src[at + 1] as number;
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    if (!this.#acceptable(first, second)) return 0;
    const length = readFramePayloadLength(src, at);
    if (typeof length !== "number") {
      this.#refuse(length);
      return 0;
    }
    const max = this.#maxPayload;
    if (opcode < OP_CLOSE && max > 0 && this.#messageLength + length > max) {
      this.#fail("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded", 1009);
      return 0;
    }
    this.#fin = fin;
    this.#opcode = opcode;
    this.#payloadLength = length;
    return frameLengthEnd(second);
  }

  /**
   * Whether a frame with these first two header bytes may come now (else reports the error).
   * Checked in `ws`'s order, so that a frame breaking several rules gets `ws`'s error: RSV bits,
   * opcode (FIN and the 7-bit length of control frames), mask.
   */
  #acceptable(first: number, second: number): boolean {
    const fault = checkFrameStart(first, second, this.#messageOpcode !== 0);
    if (fault !== undefined) return this.#refuse(fault);
    if (isFrameMasked(second)) {
      return this.#fail("WS_ERR_UNEXPECTED_MASK", "MASK must be clear", 1002);
    }
    return true;
  }

  /** Takes the next bytes of a payload split across chunks. */
  #continuePayload(chunk: NodeBuffer, offset: number): number {
    const take = Math.min(this.#missing, chunk.length - offset);
    this.#pieces.push(
      offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take),
    );
    this.#missing -= take;
    if (this.#missing === 0) {
      const pieces = this.#pieces;
      this.#pieces = [];
      this.#frame(this.#buffer.Buffer.concat(pieces, this.#payloadLength));
    }
    return offset + take;
  }

  /** One whole frame. */
  #frame(payload: NodeBuffer): void {
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
    this.#fragments.push(payload);
    this.#messageLength += payload.length;
    if (!this.#fin) return;
    const message = this.#buffer.Buffer.concat(this.#fragments, this.#messageLength);
    const messageOpcode = this.#messageOpcode;
    this.#fragments = [];
    this.#messageLength = 0;
    this.#messageOpcode = 0;
    this.#message(messageOpcode, message);
  }

  #message(opcode: number, data: NodeBuffer): void {
    if (opcode === OP_BINARY) this.#sink.onBinary(data);
    else if (this.#buffer.isUtf8(data)) this.#sink.onText(data.toString());
    else this.#fail("WS_ERR_INVALID_UTF8", "invalid UTF-8 sequence", 1007);
  }

  #control(opcode: number, payload: NodeBuffer): void {
    if (opcode === OP_PING) {
      this.#sink.onPing(payload);
      return;
    }
    if (opcode === OP_PONG) return;
    const code = readCloseStatus(payload, this.#buffer.isUtf8);
    if (typeof code !== "number") {
      this.#refuse(code);
      return;
    }
    this.stop();
    this.#sink.onCloseFrame(code, payload.subarray(2).toString());
  }

  /** Stops on a refused frame and reports it; returns false. */
  #refuse(fault: FrameFault): false {
    return this.#fail(fault.reason, fault.message, fault.closeCode);
  }

  /** Stops on a protocol error and reports it; returns false. */
  #fail(code: WebSocketProtocolErrorCode, message: string, closeCode: number): false {
    this.stop();
    this.#sink.onProtocolError(new WebSocketProtocolError(code, message, closeCode));
    return false;
  }
}
