// BusClient over node-redis 4 or 5 (`createClient`, `createCluster`). node-redis takes a
// listener per subscription (there is no client-wide message event) and restores
// subscriptions after a reconnect itself. Replies are asked for as Buffers (`returnBuffers` in
// 4, the `typeMapping` of blob strings in 5; each ignores the other's option).
import { RedisAdapterError, RedisAdapterErrorCode } from "../errors.js";
import type { BusClient, ClientEvents, CommandArg, Settled } from "./bus-client.js";

/**
 * A node-redis 4/5 client or cluster, as accepted by `createAdapter` and the Emitter. The
 * methods are typed loosely on purpose: node-redis's own types are generic over its modules,
 * scripts and RESP version, and the adapter must accept any of them (checked at runtime).
 */
export interface NodeRedisClient {
  pSubscribe(...args: never[]): unknown;
  sendCommand(...args: never[]): unknown;
  on(...args: never[]): unknown;
}

type Listener = (message: Buffer, channel: Buffer | string) => void;
type Subscribe = (channels: string, listener: Listener, bufferMode: true) => Promise<void>;
type Unsubscribe = (channels: string, listener: Listener, bufferMode: true) => Promise<void>;

/** The node-redis methods used here, with the types they have at runtime. */
interface NodeRedisApi {
  readonly isReady?: boolean;
  readonly isOpen?: boolean;
  subscribe: Subscribe;
  unsubscribe: Unsubscribe;
  pSubscribe: Subscribe;
  pUnsubscribe: Unsubscribe;
  sSubscribe?: Subscribe;
  sUnsubscribe?: Unsubscribe;
  sendCommand(...args: unknown[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** RESP type byte of blob strings ('$'), mapped to Buffer in node-redis 5. */
const BLOB_STRING = 36;
const AS_BUFFERS = { returnBuffers: true, typeMapping: { [BLOB_STRING]: Buffer } };

/** Whether `client` is a node-redis 4/5 client or cluster (not ioredis). */
export function isNodeRedis(client: unknown): client is NodeRedisClient {
  return (
    typeof client === "object" &&
    client !== null &&
    typeof Reflect.get(client, "pSubscribe") === "function" &&
    typeof Reflect.get(client, "sendCommand") === "function"
  );
}

/** Wraps a node-redis client or cluster. */
export class NodeRedisBusClient implements BusClient {
  readonly library = "node-redis" as const;
  readonly #client: NodeRedisApi;
  /** A cluster's sendCommand takes the key that routes it first. */
  readonly #cluster: boolean;
  /**
   * One listener per subscription (node-redis needs it again to unsubscribe), counted: two buses
   * may share a client.
   */
  readonly #listeners: Map<string, { listener: Listener; count: number }> = new Map();
  readonly #events: Set<ClientEvents> = new Set();

  constructor(client: NodeRedisClient) {
    this.#client = client as unknown as NodeRedisApi;
    this.#cluster = typeof Reflect.get(client, "getMasters") === "function";
  }

  get ready(): boolean {
    const client = this.#client;
    return this.#cluster ? client.isOpen === true : client.isReady === true;
  }

  listen(events: ClientEvents): void {
    this.#events.add(events);
    const client = this.#client;
    client.on("error", (cause) => events.error(cause));
    if (this.#cluster) return;
    client.on("ready", () => events.ready());
    client.on("reconnecting", () => events.lost());
    client.on("end", () => events.lost());
  }

  publish(channel: string, message: Buffer, sharded: boolean): Promise<unknown> {
    return this.command(channel, [sharded ? "SPUBLISH" : "PUBLISH", channel, message]);
  }

  subscribe(channel: string, sharded: boolean): Promise<void> {
    const method = sharded ? this.#client.sSubscribe : this.#client.subscribe;
    return this.#add(sharded ? `s:${channel}` : `c:${channel}`, channel, method, undefined);
  }

  unsubscribe(channel: string, sharded: boolean): Promise<void> {
    const method = sharded ? this.#client.sUnsubscribe : this.#client.unsubscribe;
    return this.#remove(sharded ? `s:${channel}` : `c:${channel}`, channel, method);
  }

  psubscribe(pattern: string): Promise<void> {
    return this.#add(`p:${pattern}`, pattern, this.#client.pSubscribe, pattern);
  }

  punsubscribe(pattern: string): Promise<void> {
    return this.#remove(`p:${pattern}`, pattern, this.#client.pUnsubscribe);
  }

  command(key: string | undefined, args: readonly CommandArg[]): Promise<unknown> {
    const strings = args.map((arg) => (typeof arg === "number" ? String(arg) : arg));
    if (this.#cluster) return this.#client.sendCommand(key, false, strings, AS_BUFFERS);
    return this.#client.sendCommand(strings, AS_BUFFERS);
  }

  pipeline(key: string, commands: ReadonlyArray<readonly CommandArg[]>): Promise<Settled[]> {
    // node-redis writes the commands issued in one tick back to back on the key's connection.
    return Promise.all(
      commands.map((args) =>
        this.command(key, args).then(
          (value): Settled => ({ ok: true, value }),
          (error: unknown): Settled => ({ ok: false, error }),
        ),
      ),
    );
  }

  async #add(
    id: string,
    name: string,
    method: Subscribe | undefined,
    pattern: string | undefined,
  ): Promise<void> {
    if (method === undefined) {
      throw new RedisAdapterError(
        RedisAdapterErrorCode.INVALID_ARGUMENT,
        "sharded pub/sub needs node-redis 4.6 or later (sSubscribe)",
      );
    }
    const known = this.#listeners.get(id);
    if (known !== undefined) {
      known.count++;
      return;
    }
    const listener: Listener = (message, channel) => {
      for (const events of this.#events) events.message(channel.toString(), message, pattern);
    };
    this.#listeners.set(id, { listener, count: 1 });
    try {
      await method.call(this.#client, name, listener, true);
    } catch (error) {
      this.#listeners.delete(id);
      throw error;
    }
  }

  async #remove(id: string, name: string, method: Unsubscribe | undefined): Promise<void> {
    const known = this.#listeners.get(id);
    if (known === undefined || method === undefined) return;
    if (--known.count > 0) return;
    this.#listeners.delete(id);
    await method.call(this.#client, name, known.listener, true);
  }
}
