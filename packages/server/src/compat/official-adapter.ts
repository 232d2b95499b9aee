// The socket.io internals that the official ecosystem reaches into, and nothing else.
//
// Adapters built on `socket.io-adapter` 2.5 (@socket.io/redis-streams-adapter,
// @socket.io/postgres-adapter, @socket.io/redis-adapter, ...) and @socket.io/admin-ui do not stay
// on socket.io's public API: they read and call private members of the Server, Namespace, Socket
// and Client. Each of those members exists on our classes as a one-line delegation to the real
// thing, typed here and listed in docs/compat.md ("Internals we expose for official adapters and
// admin-ui"):
//
//   io._nsps                   the namespaces by name (ReadonlyMap)            admin-ui
//   io.opts                    the options, `connectionStateRecovery` resolved  adapters
//   nsp._ids                   the namespace's ack-id counter (read and ++)     adapters
//   nsp._onServerSideEmit(a)   a server-side event from another node            adapters
//   socket.acks.set(id, fn)    registers a broadcast's ack                      adapters
//   socket.client.id           the Engine.IO session id                         admin-ui
//   socket.client.writeToEngine(encoded, opts)   pre-encoded packet write       adapters
//
// Our own adapters never use them: they speak the AdapterNamespace / AdapterSocket contract
// (adapter/adapter.ts), whose members (`encoder`, `nextAckId()`, `onServerSideEmit()`,
// `registerBroadcastAck()`, `writeEncoded()`) these delegate to. A unit test checks that.
import type { EncodedWriteOptions, RecoverySettings } from "../adapter/adapter.js";
import type { ServerOptions } from "../server-options.js";

/** The options socket.io-adapter passes to `client.writeToEngine()`. */
export interface OfficialWriteOptions {
  /** Always true from socket.io-adapter: the chunks are Socket.IO-encoded already. */
  preEncoded?: boolean;
  volatile?: boolean | undefined;
  compress?: boolean | undefined;
  /** A WebSocket frame socket.io-adapter prepared with `ws`; ignored (our engine shares frames). */
  wsPreEncodedFrame?: unknown;
}

/** What socket.io-adapter uses of `socket.acks` (socket.io's Map of ack callbacks). */
export interface OfficialAckTable {
  set(id: number, ack: (...args: unknown[]) => void): unknown;
}

/** `io.opts` as official adapters read it: the options, with recovery resolved to its settings. */
export type OfficialServerOptions = Readonly<
  Omit<ServerOptions, "connectionStateRecovery"> & {
    connectionStateRecovery: RecoverySettings | undefined;
  }
>;

/** The write options of our pre-encoded path for socket.io-adapter's `writeToEngine` options. */
export function toEncodedWriteOptions(opts: OfficialWriteOptions | undefined): EncodedWriteOptions {
  return { volatile: opts?.volatile, compress: opts?.compress };
}

/**
 * The `io.opts` view: the constructor's options with `connectionStateRecovery` replaced by the
 * resolved settings (defaults merged, as socket.io stores them), or undefined when recovery is off.
 */
export function officialServerOptions(
  opts: ServerOptions,
  recovery: RecoverySettings | undefined,
): OfficialServerOptions {
  return Object.freeze({
    ...opts,
    connectionStateRecovery: recovery === undefined ? undefined : Object.freeze({ ...recovery }),
  });
}
