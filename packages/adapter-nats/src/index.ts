// Public API of @switchyard/adapter-nats: every name listed by hand.
import type { NatsConnection } from "@nats-io/nats-core";
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "@switchyard/server";
import { HistoryStream } from "./history-stream.js";
import { NatsAdapter } from "./nats-adapter.js";
import { NatsBus } from "./nats-bus.js";
import { DEFAULT_PREFIX, type NatsAdapterOptions } from "./options.js";
import { checkPrefix } from "./subjects.js";

export type { EmitterOptions, NatsPublisher } from "./emitter.js";
export { BroadcastEmitter, Emitter } from "./emitter.js";
export { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";
export type { HistoryDelivery } from "./history-config.js";
export type { HistoryStreamCounters } from "./history-stream.js";
export { NatsAdapter } from "./nats-adapter.js";
export type { NatsConnectionState } from "./nats-bus.js";
export type { NatsAdapterOptions, NatsHistoryOptions, NatsSubjectOptions } from "./options.js";
export { DEFAULT_PREFIX } from "./options.js";
export { encodeToken, historyNames, historySubjectFor, subjectFor } from "./subjects.js";

/** This package's release line. */
export const version: string = "0.1.0";

/**
 * The `adapter` option of a Server: rooms, broadcasts, acks and queries across every server
 * connected to the same NATS (server or cluster), over core NATS subjects.
 * @example
 * const nc = await connect({ servers: "nats://127.0.0.1:4222", noEcho: true });
 * const io = new Server(httpServer, { adapter: createAdapter(nc) });
 * @throws NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`) for an invalid `prefix`.
 */
export function createAdapter(
  nc: NatsConnection,
  options: NatsAdapterOptions = {},
): AdapterConstructor {
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const bus = new NatsBus(nc, options.drainOnClose ?? true);
  // The recovery history: created with the first namespace whose Server has recovery on.
  let stream: HistoryStream | undefined;
  const history = (): HistoryStream => {
    stream ??= new HistoryStream(
      nc,
      prefix,
      options.history ?? {},
      () => bus.state === "connected",
    );
    return stream;
  };
  return (nsp: AdapterNamespace): AdapterContract =>
    new NatsAdapter(nsp, bus, options, nsp.recovery === undefined ? undefined : history());
}
