// A valid official-format message as the cluster message our own Emitter would have sent (node
// id "emitter"), so the adapter handles both alike.
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  EMITTER_UID,
  MessageType,
} from "@switchyard/server";
import type { OfficialMessage } from "./official-message.js";

/** The cluster message of `message`, received by namespace `nsp`. */
export function toClusterMessage(message: OfficialMessage, nsp: string): ClusterMessage {
  const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid: EMITTER_UID, nsp };
  switch (message.kind) {
    case "broadcast": {
      const packet = { type: 2 as const, nsp, data: message.data };
      return { ...envelope, type: MessageType.BROADCAST, data: { opts: message.target, packet } };
    }
    case "join":
    case "leave": {
      const type = message.kind === "join" ? MessageType.SOCKETS_JOIN : MessageType.SOCKETS_LEAVE;
      return { ...envelope, type, data: { opts: message.target, rooms: message.rooms } };
    }
    case "disconnect": {
      const data = { opts: message.target, close: message.close };
      return { ...envelope, type: MessageType.DISCONNECT_SOCKETS, data };
    }
    default:
      return { ...envelope, type: MessageType.SERVER_SIDE_EMIT, data: { packet: message.data } };
  }
}
