// Incremental Socket.IO decoder: text packets, then the binary attachments a BINARY header announced.
// Fed by the connection layer one EIO message at a time; returns results, never throws (§2.3, §2.4).

import { type BinaryData, isBinary } from "../binary/binary-data.js";
import { Emitter } from "../emitter.js";
import {
  CODE_DECODER_DESTROYED,
  CODE_ILLEGAL_ATTACHMENTS,
  CODE_UNEXPECTED_BINARY,
  CODE_UNEXPECTED_TEXT,
  CODE_UNKNOWN_CHUNK_TYPE,
  ProtocolError,
} from "../errors.js";
import { reconstructData } from "./binary.js";
import {
  type DecoderLimits,
  type DecoderOptions,
  parsePacketString,
  resolveDecoderLimits,
} from "./decode-string.js";
import { ACK, BINARY_ACK, BINARY_EVENT, EVENT, type Packet } from "./packet.js";

/** What {@link Decoder.add} returns: `packet` is present once a whole packet is decoded. */
export type DecoderResult = { ok: true; packet?: Packet } | { ok: false; error: ProtocolError };

/** Events of the {@link Decoder}. */
export type DecoderEvents = {
  decoded: (packet: Packet) => void;
  error: (error: ProtocolError) => void;
};

const PENDING: DecoderResult = Object.freeze({ ok: true });

/**
 * Socket.IO v5 decoder. Feed every EIO message to {@link Decoder.add}; whole packets come back
 * in the result and through the "decoded" event, bad input as a ProtocolError (also "error").
 * @example
 * const decoder = new Decoder({ maxAttachments: 4 });
 * const result = decoder.add('2["hello",1]');
 * if (result.ok && result.packet) handle(result.packet);
 */
export class Decoder extends Emitter<DecoderEvents> {
  readonly #limits: DecoderLimits;
  #pending: Packet | undefined;
  #buffers: BinaryData[] = [];
  #destroyed = false;

  constructor(opts?: DecoderOptions) {
    super();
    this.#limits = resolveDecoderLimits(opts);
  }

  /** Decodes one chunk (a text packet or a binary attachment). Never throws on any input. */
  add(chunk: unknown): DecoderResult {
    if (this.#destroyed) {
      return this.#fail(new ProtocolError(CODE_DECODER_DESTROYED, "decoder destroyed"));
    }
    if (typeof chunk === "string") return this.#addText(chunk);
    if (isBinary(chunk)) return this.#addBinary(chunk);
    return this.#fail(new ProtocolError(CODE_UNKNOWN_CHUNK_TYPE, "Unknown type"));
  }

  /** Drops any partial binary reconstruction; later `add()` calls fail with DECODER_DESTROYED. */
  destroy(): void {
    this.#destroyed = true;
    this.#reset();
  }

  #addText(text: string): DecoderResult {
    if (this.#pending !== undefined) {
      return this.#fail(
        new ProtocolError(CODE_UNEXPECTED_TEXT, "got plaintext data when reconstructing a packet"),
      );
    }
    const result = parsePacketString(text, this.#limits);
    if (!result.ok) return this.#fail(result.error);
    const packet = result.value;
    if (packet.type === BINARY_EVENT || packet.type === BINARY_ACK) {
      packet.type = packet.type === BINARY_EVENT ? EVENT : ACK;
      this.#pending = packet;
      return PENDING;
    }
    return this.#done(packet);
  }

  #addBinary(chunk: BinaryData): DecoderResult {
    const pending = this.#pending;
    if (pending === undefined) {
      return this.#fail(
        new ProtocolError(
          CODE_UNEXPECTED_BINARY,
          "got binary data when not reconstructing a packet",
        ),
      );
    }
    const buffers = this.#buffers;
    buffers.push(chunk);
    if (buffers.length < (pending.attachments ?? 0)) return PENDING;
    this.#reset();
    return this.#complete(pending, buffers);
  }

  #complete(packet: Packet, buffers: BinaryData[]): DecoderResult {
    try {
      packet.data = reconstructData(packet.data, buffers, this.#limits.maxDepth);
    } catch (error) {
      return this.#fail(
        error instanceof ProtocolError
          ? error
          : new ProtocolError(CODE_ILLEGAL_ATTACHMENTS, "illegal attachments", {
              cause: error,
            }),
      );
    }
    packet.attachments = undefined;
    return this.#done(packet);
  }

  #done(packet: Packet): DecoderResult {
    if (this.hasListeners("decoded")) this.emitReserved("decoded", packet);
    return { ok: true, packet };
  }

  #fail(error: ProtocolError): DecoderResult {
    // Any error ends the current reconstruction, so the next packet starts clean.
    this.#reset();
    if (this.hasListeners("error")) this.emitReserved("error", error);
    return { ok: false, error };
  }

  #reset(): void {
    this.#pending = undefined;
    this.#buffers = [];
  }
}
