// Options and reports of the cluster adapter base (cluster-adapter.ts).
import type { HeartbeatOptions } from "./cluster-membership.js";

/** Options of every cluster adapter. */
export interface ClusterAdapterOptions extends HeartbeatOptions {
  /**
   * How long fetchSockets (without `timeout()`) and serverSideEmit with ack wait, in ms.
   * @default 5000
   */
  requestsTimeout?: number;
  /**
   * Route broadcasts to 1–8 rooms through per-room channels so that only nodes with members in
   * the rooms receive them. When false, every message goes to every node.
   * @default true
   */
  roomChannels?: boolean;
}

/** What `partial-result` reports: a request completed without some nodes' answers. */
export interface PartialResult {
  operation: "fetchSockets" | "serverSideEmit";
  requestId: string;
  /** Ids of the nodes that did not answer in time. */
  late: string[];
  received: number;
}
