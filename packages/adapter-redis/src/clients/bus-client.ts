// One interface over the Redis clients the adapter accepts (ioredis, node-redis 4/5; standalone
// or cluster): pub/sub (classic, pattern, sharded), raw commands routed by key, and what the
// connection says about itself. The bus, the history and the emitter only talk to this.

/** An argument of a raw command. */
export type CommandArg = string | Buffer | number;

/** The outcome of one command of a {@link BusClient.pipeline}. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What a client tells the bus besides command replies. */
export interface ClientEvents {
  /** A message on a subscribed channel (classic or sharded) or a subscribed pattern. */
  message(channel: string, message: Buffer, pattern?: string): void;
  /** The connection is (again) ready for commands. */
  ready(): void;
  /** The connection was lost (subscriptions are restored by the client when it comes back). */
  lost(): void;
  /** The client reported an error. */
  error(cause: unknown): void;
}

/** A Redis connection (or cluster) as the adapter uses it. */
export interface BusClient {
  /** Which library the client comes from (for messages and tests). */
  readonly library: "ioredis" | "node-redis";
  /** Whether the client can run commands now (the server's `/readyz`). */
  readonly ready: boolean;
  /** Starts reporting messages and connection events to `events` (called once). */
  listen(events: ClientEvents): void;
  /** PUBLISH, or SPUBLISH when `sharded`. */
  publish(channel: string, message: Buffer, sharded: boolean): Promise<unknown>;
  /** SUBSCRIBE, or SSUBSCRIBE when `sharded`. */
  subscribe(channel: string, sharded: boolean): Promise<void>;
  /** UNSUBSCRIBE, or SUNSUBSCRIBE when `sharded`. */
  unsubscribe(channel: string, sharded: boolean): Promise<void>;
  /** PSUBSCRIBE (classic pub/sub only: Redis has no sharded patterns). */
  psubscribe(pattern: string): Promise<void>;
  /** PUNSUBSCRIBE. */
  punsubscribe(pattern: string): Promise<void>;
  /**
   * A raw command on the connection serving `key` (any one without a key). Bulk string replies
   * come back as Buffers, integers as numbers, arrays as arrays, nil as null.
   */
  command(key: string | undefined, args: readonly CommandArg[]): Promise<unknown>;
  /**
   * Commands sent back to back on the connection serving `key`, so that each runs right after
   * the previous one there (a WAIT after a write). One outcome per command, in order.
   */
  pipeline(key: string, commands: ReadonlyArray<readonly CommandArg[]>): Promise<Settled[]>;
}

/** Text of a bulk reply (Buffer or string); undefined for anything else. */
export function replyText(reply: unknown): string | undefined {
  if (typeof reply === "string") return reply;
  if (Buffer.isBuffer(reply)) return reply.toString("latin1");
  return undefined;
}

/** A bulk reply as bytes; undefined for nil or anything else. */
export function replyBytes(reply: unknown): Buffer | undefined {
  if (Buffer.isBuffer(reply)) return reply;
  if (typeof reply === "string") return Buffer.from(reply, "latin1");
  return undefined;
}
