// BusClient over an ioredis `Redis` or `Cluster`. ioredis restores subscriptions after a
// reconnect itself; a Cluster routes keyed commands (and pipelines) to the key's master.
import type { Cluster, Redis } from "ioredis";
import type { BusClient, ClientEvents, CommandArg, Settled } from "./bus-client.js";

/** An ioredis client: standalone or cluster. */
export type IoRedisClient = Redis | Cluster;

/** Wraps an ioredis client. */
export class IoRedisBusClient implements BusClient {
  readonly library = "ioredis" as const;
  readonly #client: IoRedisClient;

  constructor(client: IoRedisClient) {
    this.#client = client;
  }

  /** The wrapped client. */
  get client(): IoRedisClient {
    return this.#client;
  }

  get ready(): boolean {
    return this.#client.status === "ready";
  }

  listen(events: ClientEvents): void {
    const client = this.#client;
    const message = (channel: Buffer, payload: Buffer): void =>
      events.message(channel.toString(), payload);
    client.on("messageBuffer", message);
    client.on("smessageBuffer", message);
    client.on("pmessageBuffer", (pattern: Buffer | string, channel: Buffer, payload: Buffer) =>
      events.message(channel.toString(), payload, pattern.toString()),
    );
    client.on("close", () => events.lost());
    client.on("ready", () => events.ready());
    // Our own 'error' listener: ioredis then never reports "Unhandled error event".
    client.on("error", (cause: unknown) => events.error(cause));
  }

  publish(channel: string, message: Buffer, sharded: boolean): Promise<unknown> {
    return sharded
      ? this.#client.spublish(channel, message)
      : this.#client.publish(channel, message);
  }

  async subscribe(channel: string, sharded: boolean): Promise<void> {
    if (sharded) await this.#client.ssubscribe(channel);
    else await this.#client.subscribe(channel);
  }

  async unsubscribe(channel: string, sharded: boolean): Promise<void> {
    if (sharded) await this.#client.sunsubscribe(channel);
    else await this.#client.unsubscribe(channel);
  }

  async psubscribe(pattern: string): Promise<void> {
    await this.#client.psubscribe(pattern);
  }

  async punsubscribe(pattern: string): Promise<void> {
    await this.#client.punsubscribe(pattern);
  }

  command(_key: string | undefined, args: readonly CommandArg[]): Promise<unknown> {
    // A Cluster finds the key in the arguments itself (and follows MOVED).
    const [name, ...rest] = args;
    return this.#client.callBuffer(String(name), rest);
  }

  async pipeline(_key: string, commands: ReadonlyArray<readonly CommandArg[]>): Promise<Settled[]> {
    const pipeline = this.#client.pipeline();
    for (const [name, ...rest] of commands) pipeline.callBuffer(String(name), rest);
    const results = (await pipeline.exec()) ?? [];
    return results.map(
      ([error, value]): Settled =>
        error === null || error === undefined ? { ok: true, value } : { ok: false, error },
    );
  }
}
