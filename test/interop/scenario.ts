// The one interop scenario every peer runs: the features, in order, with the data they exchange.
// Each role (peer-client.test.ts: a peer's client against our server; peer-server.test.ts: our
// client against a peer's server) implements every feature (`RoleScenario` makes that a type
// error otherwise), and docs/interop.md holds the expected result of each cell.
import type { PeerId } from "../support/peers.js";
import { bytes, type WireValue } from "./support/wire.js";

/** How a connection is made: one transport, or polling then the upgrade to WebSocket. */
export const TRANSPORTS = ["polling", "websocket", "upgrade"] as const;
export type TransportMode = (typeof TRANSPORTS)[number];

/** The client `transports` option of each mode. */
export const TRANSPORT_OPTION: Readonly<Record<TransportMode, Array<"polling" | "websocket">>> = {
  polling: ["polling"],
  websocket: ["websocket"],
  upgrade: ["polling", "websocket"],
};

/** The features, in the order they run (the restart comes last: it replaces the server). */
export const FEATURES = [
  "connect",
  "events to peer",
  "events from peer",
  "acks by peer",
  "acks to peer",
  "auth namespace",
  "rejected namespace",
  "room broadcast",
  "server disconnect",
  "client disconnect",
  "server restart",
] as const;
export type Feature = (typeof FEATURES)[number];

/** What the feature checks, for docs/interop.md's legend. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<Feature, string>> = {
  connect: "connects on the transport (upgrade: then moves to WebSocket); the sids agree",
  "events to peer": "an event with every payload value reaches the peer unchanged",
  "events from peer": "the same payload sent by the peer reaches our side unchanged",
  "acks by peer":
    "our emit with an ack gets the peer's answer (the payload back); a late answer times out",
  "acks to peer":
    "the peer's emit with an ack gets our answer; one we never answer times out on the peer",
  "auth namespace":
    "`/auth` with the right token connects, with a wrong one is refused with 'unauthorized'",
  "rejected namespace": "an unknown namespace is refused (connect_error)",
  "room broadcast": "a broadcast to a room reaches its two members and not the third client",
  "server disconnect":
    "the server disconnects the socket; the client sees it (ours: and rejects a pending emitWithAck)",
  "client disconnect": "the client disconnects; the server sees it",
  "server restart": "the server stops; the client reconnects by itself when it is back",
};

/** The role the peer plays. */
export type PeerRole = "client" | "server";

/** A row group of the matrix: one peer in one role. */
export interface MatrixPeer {
  id: PeerId;
  role: PeerRole;
}

/** Every peer and role of the matrix (socket.io-client-java has no server). */
export const MATRIX_PEERS: readonly MatrixPeer[] = [
  { id: "python-socketio", role: "client" },
  { id: "python-socketio", role: "server" },
  { id: "python-socketio-debian", role: "client" },
  { id: "python-socketio-debian", role: "server" },
  { id: "socket.io-client-java", role: "client" },
  { id: "zishang520-socket.io", role: "client" },
  { id: "zishang520-socket.io", role: "server" },
];

/** The token `/auth` wants (`auth: { token }`). */
export const TOKEN = "s3cret";

/** Every argument of the events and acks: strings, numbers, nested objects and binary. */
export const PAYLOAD: WireValue[] = [
  "plain text, ünïcødé and ✓",
  42,
  -1.5,
  { nested: { list: [1, "two", { three: 3 }], flag: false, none: null } },
  bytes(0, 1, 2, 127, 128, 255),
  { file: bytes(9, 8, 7), parts: [bytes(1), "between", bytes(2, 3)] },
];

/** What the room broadcast carries. */
export const NEWS: WireValue[] = ["breaking", { n: 1 }];

/** How long the peer waits before answering "slow", and our shorter ack timeout for it. */
export const SLOW_ANSWER_MS = 1500;
export const SHORT_TIMEOUT_MS = 200;
/** The ack timeout of answers that must arrive. */
export const ACK_TIMEOUT_MS = 5000;

/** One test of the matrix: a feature run for one peer, role and transport. */
export type FeatureRun<Context> = (context: Context) => Promise<void>;

/** A role's implementation of the scenario: every feature, nothing else. */
export type RoleScenario<Context> = Readonly<Record<Feature, FeatureRun<Context>>>;
