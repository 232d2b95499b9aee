// ClusterAdapter: the in-memory Adapter plus the inter-node protocol (cluster-message.ts) over an
// abstract bus (cluster-bus.ts). Bus adapters (Redis, NATS, the in-process bus) only implement
// publish/subscribe. Local delivery never waits for the bus; requests wait only for live members.
// Its parts have files of their own: membership (cluster-membership.ts), requests in flight
// (cluster-requests.ts), fetchSockets (cluster-fetch-sockets.ts), serverSideEmit
// (cluster-server-side-emit.ts) and broadcasts with acks (cluster-ack-requests.ts).
import type { Packet } from "@switchyard/protocol";
import { clusterLog } from "../log.js";
import { emitIsolated } from "../typed-events.js";
import type {
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  Room,
  SocketDetails,
} from "./adapter.js";
import { BroadcastForm } from "./broadcast-form.js";
import { AckRequests, ackAnswers } from "./cluster-ack-requests.js";
import type { ClusterTarget } from "./cluster-bus.js";
import { FetchSockets } from "./cluster-fetch-sockets.js";
import { ClusterHistoryAdapter } from "./cluster-history-adapter.js";
import { logPublish } from "./cluster-log.js";
import { Membership } from "./cluster-membership.js";
import {
  type BroadcastData,
  type ClusterMessage,
  EMITTER_UID,
  fromWireOptions,
  MessageType,
  NodeFeature,
  toWireOptions,
} from "./cluster-message.js";
import {
  batchLimitsOf,
  type ClusterAdapterOptions,
  type PartialResult,
  wirePacketLimitsOf,
} from "./cluster-options.js";
import { PendingRequests, randomId } from "./cluster-requests.js";
import { type ServerSideEmitHost, ServerSideEmits } from "./cluster-server-side-emit.js";
import { lazyPacket, type WirePacket, withArgument } from "./wire-packet.js";

/**
 * Base class of the bus adapters (Redis, NATS, in-process). Subclasses bind it to a broker by
 * implementing `doPublish`, `doSubscribe`, `doUnsubscribe` and feeding bytes into `onPayload`.
 * Events: those of `Adapter`, plus `error(AdapterError)`, `partial-result(PartialResult)`,
 * `node-joined(uid)` and `node-left(uid, reason)`.
 */
export abstract class ClusterAdapter extends ClusterHistoryAdapter {
  /** How long requests without their own timeout wait for the peers, in ms. */
  protected readonly requestsTimeout: number;
  readonly #membership: Membership;
  readonly #requests: PendingRequests = new PendingRequests();
  readonly #ackRequests: AckRequests = new AckRequests();
  readonly #serverSideEmits: ServerSideEmits;
  readonly #fetches: FetchSockets;
  readonly #form: BroadcastForm;
  readonly #peersTakeEncoded = (): boolean =>
    this.#membership.everyPeerHas(NodeFeature.ENCODED_BROADCAST);

  constructor(nsp: AdapterNamespace, options: ClusterAdapterOptions = {}) {
    super(nsp, options.roomChannels ?? true, batchLimitsOf(options), wirePacketLimitsOf(options));
    this.requestsTimeout = options.requestsTimeout ?? 5000;
    const host: ServerSideEmitHost = {
      publish: (target, message) => this.publish(target, message),
      peers: () => (this.closed ? [] : this.#membership.peers),
      deliver: (args) => this.nsp.onServerSideEmit(args),
      partial: (id, late, received) => this.#reportPartial("serverSideEmit", id, late, received),
    };
    this.#serverSideEmits = new ServerSideEmits(host, this.#requests, this.requestsTimeout);
    this.#fetches = new FetchSockets(
      {
        publish: host.publish,
        peers: host.peers,
        isPeer: (uid) => !this.closed && this.#membership.has(uid),
        local: (opts) => super.fetchSockets(opts),
        partial: (id, late, received) => this.#reportPartial("fetchSockets", id, late, received),
      },
      this.#requests,
      this.requestsTimeout,
    );
    const encodes = options.encodedBroadcasts !== false;
    this.#form = new BroadcastForm(nsp.encoder, encodes, this.wirePacketLimits);
    this.#membership = new Membership(
      {
        sendHeartbeat: () => this.publish(ALL, this.#form.heartbeat(MessageType.HEARTBEAT)),
        nodeJoined: (uid) => {
          // Tell the newcomer about us at once: it may have missed our own announcement.
          this.publish({ kind: "node", uid }, this.#form.heartbeat(MessageType.HEARTBEAT));
          emitIsolated(this, "node-joined", [uid]);
        },
        nodeLeft: (uid, reason) => {
          this.#requests.nodeLeft(uid);
          this.forgetPublisher(uid);
          emitIsolated(this, "node-left", [uid, reason]);
        },
      },
      options,
    );
  }

  /** Cluster requests (fetchSockets, serverSideEmit with ack) that timed out with nodes missing. */
  get requestTimeouts(): number {
    return this.#requests.timeouts;
  }

  /** Subscribes this node's channels, starts the heartbeat and announces the node. */
  override async init(): Promise<void> {
    await this.openRecovery();
    await this.subscribeAll();
    this.#membership.start();
    this.announce();
  }

  /** Says ADAPTER_CLOSE, completes pending requests and unsubscribes. Idempotent. */
  override async close(): Promise<void> {
    if (this.closed) return;
    this.#membership.stop();
    this.#requests.finishAll();
    this.#ackRequests.clear();
    const closing = this.sendWithin(
      ALL,
      { type: MessageType.ADAPTER_CLOSE, data: undefined },
      1000,
    );
    this.closed = true;
    await closing;
    await this.closeRecovery();
    await this.unsubscribeAll();
  }

  /** 1 + the live peers known by heartbeat. */
  override serverCount(): Promise<number> {
    return Promise.resolve(1 + this.#membership.size);
  }

  /** Ids of the live peers (this node excluded). */
  get peers(): string[] {
    return this.#membership.peers;
  }

  /** Publishes INITIAL_HEARTBEAT (peers answer): at start and after the bus reconnects. */
  announce(): void {
    if (!this.closed) this.publish(ALL, this.#form.heartbeat(MessageType.INITIAL_HEARTBEAT));
  }

  /**
   * The bus reconnected after an outage (bus adapters call it): announce this node again, and
   * with recovery, read the history's epoch and write the live session records again.
   */
  reconnected(): void {
    this.announce();
    this.reopenRecovery();
  }

  protected override onPublished(): void {
    this.#membership.published();
  }

  /**
   * Queues the bus message, then delivers locally (unless `local`). Neither waits for the other;
   * the order only decides which bytes leave first at the end of the tick: the bus message, as
   * in the official adapters, because the other nodes' clients have the longer way to go (one
   * bus hop more) and a large local room would otherwise hold it back by all its writes.
   */
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    if (opts.flags?.local === true || this.closed) {
      super.broadcast(packet, opts);
      return;
    }
    // Recoverable events go to their rooms' histories; each message carries its own number of
    // this node's counter (a broadcast to k rooms is k messages, see routesFor).
    const recoverable = this.isRecoverable(packet, opts);
    packet.nsp = this.nsp.name;
    // Encoded once for the whole cluster when every peer takes it; the local sockets get the
    // same chunks (with this node's offset when recoverable).
    const chunks = this.#form.encode(packet, this.#peersTakeEncoded);
    let own: number | undefined;
    // Encoded before the local write: the packet object is the caller's and may be reused.
    const outgoing = this.routesFor(opts).map((route) => {
      if (recoverable) own = this.nextOwn();
      const wire = toWireOptions(route.opts);
      const data: BroadcastData =
        chunks === undefined
          ? { opts: wire, packet: { ...packet }, o: own }
          : { opts: wire, e: chunks, o: own };
      return { target: route.target, payload: this.encode({ type: MessageType.BROADCAST, data }) };
    });
    for (const { target, payload } of outgoing) {
      if (payload === undefined) continue;
      if (clusterLog.enabled) logPublish(this.uid, this.nsp.name, MessageType.BROADCAST, target);
      if (chunks !== undefined) this.counters.publishedEncoded++;
      this.publishEncoded(target, payload, recoverable);
    }
    const stamp = own === undefined ? undefined : this.stampOwn(packet, opts, own);
    if (chunks === undefined) super.broadcast(packet, opts);
    else
      this.broadcastEncoded(
        packet,
        stamp === undefined ? chunks : withArgument(chunks, stamp),
        opts,
      );
  }

  /** Local broadcast with ack, and every peer: each reports its client count, then the acks. */
  override broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    if (opts.flags?.local === true || this.closed) {
      super.broadcastWithAck(packet, opts, clientCountCallback, ack);
      return;
    }
    const requestId = randomId();
    const payload = this.encode({
      type: MessageType.BROADCAST,
      data: { opts: toWireOptions(opts), packet: { ...packet }, requestId },
    });
    super.broadcastWithAck(packet, opts, clientCountCallback, ack);
    if (payload === undefined) return;
    // Answers after the caller's deadline change nothing: forget the request then.
    this.#ackRequests.start(requestId, clientCountCallback, ack, opts.flags?.timeout);
    // Every node must report a client count, so acked broadcasts always go to all.
    if (clusterLog.enabled) logPublish(this.uid, this.nsp.name, MessageType.BROADCAST, ALL);
    this.publishEncoded(ALL, payload);
  }

  /** Local sockets plus every live peer's; on timeout, what arrived (see `partial-result`). */
  override fetchSockets(opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>> {
    return this.#fetches.fetch(opts);
  }

  /** Asks a live peer whether it holds socket `sid` (a recovery must not take a live session). */
  protected remoteHolds(uid: string, sid: string): Promise<boolean> {
    return this.#fetches.holds(uid, sid);
  }

  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    super.addSockets(opts, rooms);
    if (opts.flags?.local === true) return;
    for (const route of this.routesFor(opts)) {
      const data = { opts: toWireOptions(route.opts), rooms };
      this.publish(route.target, { type: MessageType.SOCKETS_JOIN, data });
    }
  }

  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    super.delSockets(opts, rooms);
    if (opts.flags?.local === true) return;
    for (const route of this.routesFor(opts)) {
      const data = { opts: toWireOptions(route.opts), rooms };
      this.publish(route.target, { type: MessageType.SOCKETS_LEAVE, data });
    }
  }

  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    super.disconnectSockets(opts, close);
    if (opts.flags?.local === true) return;
    for (const route of this.routesFor(opts)) {
      const data = { opts: toWireOptions(route.opts), close };
      this.publish(route.target, { type: MessageType.DISCONNECT_SOCKETS, data });
    }
  }

  /**
   * Sends an event to the peers. A trailing function gets `(null, responses)`, or on timeout
   * `(ClusterRequestTimeoutError, responses)` with the responses that arrived and `late` ids.
   */
  override serverSideEmit(packet: unknown[]): void {
    this.#serverSideEmits.emit(packet);
  }

  protected onMessage(message: ClusterMessage): void {
    const from = message.uid;
    if (message.type === MessageType.ADAPTER_CLOSE) {
      this.#membership.closed(from);
      return;
    }
    const known = this.#membership.has(from);
    const heartbeat =
      message.type === MessageType.HEARTBEAT || message.type === MessageType.INITIAL_HEARTBEAT;
    // A heartbeat without `f` (a node of an earlier version) says: no feature.
    this.#membership.seen(from, heartbeat ? (message.f ?? 0) : undefined);
    switch (message.type) {
      case MessageType.INITIAL_HEARTBEAT:
        // A newcomer already got our HEARTBEAT from nodeJoined; a known node re-announced itself.
        if (known) {
          this.publish({ kind: "node", uid: from }, this.#form.heartbeat(MessageType.HEARTBEAT));
        }
        break;
      case MessageType.BROADCAST:
        this.#onRemoteBroadcast(from, message.data);
        break;
      case MessageType.SOCKETS_JOIN:
        super.addSockets(fromWireOptions(message.data.opts), message.data.rooms);
        break;
      case MessageType.SOCKETS_LEAVE:
        super.delSockets(fromWireOptions(message.data.opts), message.data.rooms);
        break;
      case MessageType.DISCONNECT_SOCKETS:
        super.disconnectSockets(fromWireOptions(message.data.opts), message.data.close);
        break;
      case MessageType.FETCH_SOCKETS:
        void this.#fetches.answer(from, message.data.opts, message.data.requestId);
        break;
      case MessageType.FETCH_SOCKETS_RESPONSE:
        this.#requests.respond(message.data.requestId, from, message.data.sockets);
        break;
      case MessageType.SERVER_SIDE_EMIT:
        this.#serverSideEmits.onRemote(from, message.data.packet, message.data.requestId);
        break;
      case MessageType.SERVER_SIDE_EMIT_RESPONSE:
        this.#requests.respond(message.data.requestId, from, [message.data.packet]);
        break;
      case MessageType.BROADCAST_CLIENT_COUNT:
        this.#ackRequests.clientCount(message.data.requestId, message.data.clientCount);
        break;
      case MessageType.BROADCAST_ACK:
        this.#ackRequests.ack(message.data.requestId, message.data.packet);
        break;
      default:
        // HEARTBEAT: being seen is all it does.
        break;
    }
  }

  #onRemoteBroadcast(from: string, data: BroadcastData): void {
    const opts = fromWireOptions(data.opts);
    const requestId = data.requestId;
    if (data.e !== undefined) {
      // Checked on receipt (cluster-bus.ts); never with an ack (requestId).
      this.#onEncodedBroadcast(from, data.e, opts, data.o);
      return;
    }
    if (requestId === undefined || from === EMITTER_UID) {
      if (data.o !== undefined) {
        // Emitters share one id and number nothing: only nodes' copies can be told apart.
        if (from !== EMITTER_UID && this.isDuplicate(from, data.o)) return;
        this.stampRemote(data.packet, opts);
      }
      super.broadcast(data.packet, opts);
      return;
    }
    const to: ClusterTarget = { kind: "node", uid: from };
    const answers = ackAnswers(requestId, (message) => this.publish(to, message));
    super.broadcastWithAck(data.packet, opts, answers.clientCount, answers.ack);
  }

  /** A broadcast a peer encoded: its chunks go to the local sockets as they are. */
  #onEncodedBroadcast(
    from: string,
    chunks: WirePacket,
    opts: BroadcastOptions,
    own: number | undefined,
  ): void {
    let encoded = chunks;
    if (own !== undefined) {
      // Emitters share one id and number nothing: only nodes' copies can be told apart.
      if (from !== EMITTER_UID && this.isDuplicate(from, own)) return;
      const stamp = this.stampRemoteEncoded(chunks, opts);
      if (stamp !== undefined) encoded = withArgument(chunks, stamp);
    }
    this.broadcastEncoded(lazyPacket(encoded, this.nsp.name), encoded, opts);
  }

  #reportPartial(
    operation: PartialResult["operation"],
    requestId: string,
    late: string[],
    received: number,
  ): void {
    const result: PartialResult = { operation, requestId, late, received };
    emitIsolated(this, "partial-result", [result]);
  }
}

const ALL: ClusterTarget = { kind: "all" };
