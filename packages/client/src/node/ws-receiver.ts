// Incremental parser of the server's WebSocket frames (RFC 6455 §5), fed the socket's 'data'
// chunks as they come: no Writable stream and no queue of chunks. A frame that lies whole inside
// a chunk is handed on as a view of it (no copy); only a frame split across chunks is collected,
// piece by piece, and joined once when complete, and only a header split across chunks is copied
// (at most 10 bytes). No extension is negotiated, so any RSV bit is an error, and server frames
// must not be masked. Messages, pings and the close frame go to a ReceiverSink; the first protocol
// error stops the parser and goes to the sink as a WebSocketProtocolError.
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

const OP_CONTINUATION = 0x0;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** 2^53 - 1 as the high 32 bits of a 64-bit length: anything above cannot be a JS number. */
const MAX_HIGH_WORD = 0x1fffff;

/** Header length (without mask) given the second header byte. */
function headerLength(second: number): number {
  const len = second & 0x7f;
  return len === 126 ? 4 : len === 127 ? 10 : 2;
}

/** Close codes a peer may send (RFC 6455 §7.4, as `ws` checks them). */
function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

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
      let size: number;
      if (
        this.#headLength === 0 &&
        end - offset >= 2 &&
        end - offset >= headerLength(chunk[offset + 1] as number)
      ) {
        size = this.#readHeader(chunk, offset);
        offset += size;
      } else {
        offset = this.#fillHead(chunk, offset);
        const head = this.#head;
        if (this.#headLength < 2 || this.#headLength < headerLength(head[1] as number)) return;
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
      if (this.#headLength >= 2 && this.#headLength === headerLength(head[1] as number)) break;
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
    let length = second & 0x7f;
    let size = 2;
    if (length === 126) {
      length = ((src[at + 2] as number) << 8) | (src[at + 3] as number);
      size = 4;
    } else if (length === 127) {
      const high = src.readUInt32BE(at + 2);
      if (high > MAX_HIGH_WORD) {
        this.#fail(
          "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
          "Unsupported WebSocket frame: payload length > 2^53 - 1",
          1009,
        );
        return 0;
      }
      length = high * 0x1_0000_0000 + src.readUInt32BE(at + 6);
      size = 10;
    }
    const max = this.#maxPayload;
    if (opcode < OP_CLOSE && max > 0 && this.#messageLength + length > max) {
      this.#fail("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded", 1009);
      return 0;
    }
    this.#fin = fin;
    this.#opcode = opcode;
    this.#payloadLength = length;
    return size;
  }

  /**
   * Whether a frame with these first two header bytes may come now (else reports the error).
   * Checked in `ws`'s order, so that a frame breaking several rules gets `ws`'s error: RSV bits,
   * opcode (FIN and the 7-bit length of control frames), mask.
   */
  #acceptable(first: number, second: number): boolean {
    if ((first & 0x30) !== 0) {
      return this.#fail("WS_ERR_UNEXPECTED_RSV_2_3", "RSV2 and RSV3 must be clear", 1002);
    }
    if ((first & 0x40) !== 0)
      return this.#fail("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear", 1002);
    const opcode = first & 0x0f;
    const fragmented = this.#messageOpcode !== 0;
    if (opcode >= OP_CLOSE && opcode <= OP_PONG) {
      if ((first & 0x80) === 0) return this.#fail("WS_ERR_EXPECTED_FIN", "FIN must be set", 1002);
      // The 7-bit length itself: a control frame never uses the extended forms (126, 127).
      const length = second & 0x7f;
      if (length > 125 || (opcode === OP_CLOSE && length === 1)) {
        return this.#fail(
          "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
          `invalid payload length ${length}`,
          1002,
        );
      }
    } else {
      const valid = opcode === OP_CONTINUATION ? fragmented : opcode <= OP_BINARY && !fragmented;
      if (!valid) return this.#fail("WS_ERR_INVALID_OPCODE", `invalid opcode ${opcode}`, 1002);
    }
    if ((second & 0x80) !== 0)
      return this.#fail("WS_ERR_UNEXPECTED_MASK", "MASK must be clear", 1002);
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
    if (payload.length === 0) {
      this.stop();
      this.#sink.onCloseFrame(1005, "");
      return;
    }
    const code = ((payload[0] as number) << 8) | (payload[1] as number);
    if (!isValidCloseCode(code)) {
      this.#fail("WS_ERR_INVALID_CLOSE_CODE", `invalid status code ${code}`, 1002);
      return;
    }
    const reason = payload.subarray(2);
    if (!this.#buffer.isUtf8(reason)) {
      this.#fail("WS_ERR_INVALID_UTF8", "invalid UTF-8 sequence", 1007);
      return;
    }
    this.stop();
    this.#sink.onCloseFrame(code, reason.toString());
  }

  /** Stops on a protocol error and reports it; returns false. */
  #fail(code: WebSocketProtocolErrorCode, message: string, closeCode: number): false {
    this.stop();
    this.#sink.onProtocolError(new WebSocketProtocolError(code, message, closeCode));
    return false;
  }
}
