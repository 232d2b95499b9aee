// Socket.IO v5 encoder: a packet becomes one text string, plus one binary chunk per attachment.
// Wire form `<type>[<attachments>-][<nsp>,][<id>][<json>]`, as the official encoder (§2.2, §2.3).

import type { BinaryData } from "../binary/binary-data.js";
import { deconstructData, hasBinary } from "./binary.js";
import { ACK, BINARY_ACK, BINARY_EVENT, EVENT, type Packet, type PacketType } from "./packet.js";

/** A JSON.stringify replacer. */
export type JsonReplacer = (this: unknown, key: string, value: unknown) => unknown;

/**
 * Socket.IO v5 encoder. EVENT/ACK data holding binary is sent as BINARY_EVENT/BINARY_ACK with
 * placeholders in the text and the binaries as separate chunks.
 * @example
 * new Encoder().encode({ type: EVENT, nsp: "/admin", id: 12, data: ["hi"] });
 * // → ['2/admin,12["hi"]']
 */
export class Encoder {
  readonly #replacer: JsonReplacer | undefined;

  constructor(replacer?: JsonReplacer) {
    this.#replacer = replacer;
  }

  /**
   * Encodes one packet into its wire chunks: the text header first, then the attachments.
   * @throws TypeError when the data is circular (a programmer error, as in JSON.stringify).
   */
  encode(packet: Packet): Array<string | BinaryData> {
    const type = packet.type;
    if ((type === EVENT || type === ACK) && hasBinary(packet.data)) {
      const buffers: BinaryData[] = [];
      const data = deconstructData(packet.data, buffers);
      const binaryType = type === EVENT ? BINARY_EVENT : BINARY_ACK;
      const header = this.#encodeString(binaryType, packet.nsp, packet.id, data, buffers.length);
      const chunks: Array<string | BinaryData> = [header];
      for (const buffer of buffers) chunks.push(buffer);
      return chunks;
    }
    return [this.#encodeString(type, packet.nsp, packet.id, packet.data, packet.attachments)];
  }

  #encodeString(
    type: PacketType,
    nsp: string,
    id: number | undefined,
    data: unknown,
    attachments: number | undefined,
  ): string {
    let str = `${type}`;
    if (type === BINARY_EVENT || type === BINARY_ACK) {
      str += `${attachments}-`;
    }
    if (nsp && nsp !== "/") str += `${nsp},`;
    if (id !== undefined && id !== null) str += id;
    if (data !== undefined && data !== null) str += JSON.stringify(data, this.#replacer);
    return str;
  }
}
