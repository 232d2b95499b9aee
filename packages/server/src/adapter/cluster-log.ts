// Debug lines of the cluster layer (`DEBUG=switchyard:cluster`): the names of bus message types
// and targets, so a publish, a receipt and a request read as a story.
import { clusterLog } from "../log.js";
import { MessageType } from "./cluster-message.js";
import type { ClusterTarget } from "./cluster-publisher.js";

const TYPE_NAMES = new Map<number, string>(
  Object.entries(MessageType).map(([name, type]) => [type, name]),
);

/** `BROADCAST`, `FETCH_SOCKETS`, … for a message type number. */
export function messageTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `type ${type}`;
}

function targetName(target: ClusterTarget): string {
  if (target.kind === "all") return "all nodes";
  return target.kind === "room" ? `room ${target.room}` : `node ${target.uid}`;
}

/** A message published (call only when `clusterLog.enabled`). */
export function logPublish(uid: string, nsp: string, type: number, target: ClusterTarget): void {
  clusterLog.log("%s %s publishes %s to %s", uid, nsp, messageTypeName(type), targetName(target));
}

/** A message received from a peer (call only when `clusterLog.enabled`). */
export function logReceive(uid: string, nsp: string, type: number, from: string): void {
  clusterLog.log("%s %s received %s from %s", uid, nsp, messageTypeName(type), from);
}
