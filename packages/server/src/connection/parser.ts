// The Socket.IO codec contract of the `parser` option (custom parsers such as
// socket.io-msgpack-parser fit it). The default is the codec of @switchyard/protocol.
import type { Packet } from "@switchyard/protocol";
import { Decoder, Encoder } from "@switchyard/protocol";

/** Encodes packets; one instance is shared by the whole server. */
export interface PacketEncoder {
  /** The text header first, then one chunk per binary attachment. */
  encode(packet: Packet): unknown[];
  /**
   * True when this is the default parser's encoder (Socket.IO v5 text and attachments): only
   * then do cluster adapters carry its output between nodes instead of the packet object
   * (adapter/wire-packet.ts). Absent (custom parsers): the object form.
   */
  readonly defaultWireFormat?: boolean;
}

/** Decodes one session's input, emitting `decoded` for each complete packet. */
export interface PacketDecoder {
  /** May throw (official parsers) or return `{ ok: false, error }` (ours): both close the session. */
  add(chunk: unknown): unknown;
  destroy(): void;
  on(event: "decoded", listener: (packet: Packet) => void): unknown;
}

/** The `parser` option: an Encoder and a Decoder constructor. */
export interface Parser {
  Encoder: new () => PacketEncoder;
  Decoder: new () => PacketDecoder;
}

/** The default parser: @switchyard/protocol's Socket.IO v5 codec (JSON + binary attachments). */
export const defaultParser: Parser = { Encoder, Decoder };
