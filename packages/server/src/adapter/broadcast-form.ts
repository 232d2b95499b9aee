// Which form a node's broadcasts take on the bus: the packet object (every version, emitters,
// acks, custom parsers), or its chunks encoded once for the whole cluster (wire-packet.ts), which
// a node uses only when it and every live peer announced the feature in their heartbeats.
import type { Packet } from "@switchyard/protocol";
import type { PacketEncoder } from "../connection/parser.js";
import type { OutgoingMessage } from "./cluster-bus.js";
import { type MessageType, NodeFeature } from "./cluster-message.js";
import type { WirePacket, WirePacketLimits } from "./wire-packet.js";

function asView(chunk: unknown): unknown {
  return chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : chunk;
}

type HeartbeatType = typeof MessageType.HEARTBEAT | typeof MessageType.INITIAL_HEARTBEAT;

/** One adapter's choice of broadcast form. */
export class BroadcastForm {
  /**
   * What this node's heartbeats announce ({@link NodeFeature} bits): the encoded form unless
   * turned off, or the server has a custom parser (whose output is parser-specific).
   */
  readonly features: number;
  readonly #encoder: PacketEncoder;
  readonly #limits: WirePacketLimits;

  constructor(encoder: PacketEncoder, enabled: boolean, limits: WirePacketLimits) {
    this.#encoder = encoder;
    this.#limits = limits;
    const encodes = enabled && encoder.defaultWireFormat === true;
    this.features = encodes ? NodeFeature.ENCODED_BROADCAST : 0;
  }

  /**
   * The packet's chunks when it travels encoded: this node takes the form, so do its peers
   * (`peersTakeIt`), and the chunks are within the limits receivers apply. Else undefined.
   * @throws TypeError on circular data (as the local encode would).
   */
  encode(packet: Packet, peersTakeIt: () => boolean): WirePacket | undefined {
    if (this.features === 0 || !peersTakeIt()) return undefined;
    const chunks = this.#encoder.encode(packet) as unknown as WirePacket;
    const limits = this.#limits;
    const fits = chunks[0].length <= limits.maxLength && chunks.length - 1 <= limits.maxAttachments;
    if (!fits) return undefined;
    // msgpack carries views as bin but an ArrayBuffer as an empty map: a view of it, same bytes.
    for (let i = 1; i < chunks.length; i++) {
      if (chunks[i] instanceof ArrayBuffer) return chunks.map(asView) as unknown as WirePacket;
    }
    return chunks;
  }

  /** A heartbeat of this node, with its features. */
  heartbeat(type: HeartbeatType): OutgoingMessage {
    const features = this.features;
    return features === 0 ? { type, data: undefined } : { type, data: undefined, f: features };
  }
}
