// The configuration of a history stream (history-stream.ts), and how an existing one is brought
// to it: limits only ever delete from the front (age, count, bytes; no per-subject limit; deletes
// and purges of single messages refused), so that `first_seq` tells exactly what a read lost.
import { createHash } from "node:crypto";
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { millis, nanos } from "@nats-io/nats-core";
import type { NatsHistoryOptions } from "./options.js";
import type { HistoryNames } from "./subjects.js";

/** How stored messages reach the nodes (see NatsHistoryOptions.delivery). */
export type HistoryDelivery = "republish" | "consumer";

/** The deduplication window of the stream (publishes carry no message id). */
const DUPLICATE_WINDOW_MS = 2000;

/** The configuration a node wants for the stream `names`, keeping history `maxAgeMs`. */
export function streamConfig(
  names: HistoryNames,
  options: NatsHistoryOptions,
  maxAgeMs: number,
  delivery: HistoryDelivery,
): StreamConfig {
  return {
    name: names.stream,
    description: "switchyard: recovery history (connection state recovery across nodes)",
    subjects: names.subjects,
    retention: RetentionPolicy.Limits,
    storage: options.storage === "memory" ? StorageType.Memory : StorageType.File,
    num_replicas: options.replicas ?? 1,
    max_age: nanos(maxAgeMs),
    max_msgs: options.maxMsgs ?? -1,
    max_bytes: options.maxBytes ?? -1,
    max_msgs_per_subject: -1,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, maxAgeMs)),
    ...(delivery === "republish" ? { republish: { ...names.republish, headers_only: false } } : {}),
    deny_delete: true,
    deny_purge: true,
  } as StreamConfig;
}

/** The settings to change on an existing stream, or undefined when it already fits. */
export function changes(
  current: StreamConfig,
  wanted: StreamConfig,
): Partial<StreamConfig> | undefined {
  const maxAge = current.max_age === 0 ? 0 : Math.max(current.max_age, wanted.max_age);
  const subjects = [...new Set([...(current.subjects ?? []), ...wanted.subjects])];
  const republish = current.republish;
  const fits =
    subjects.length === (current.subjects ?? []).length &&
    republish?.src === wanted.republish?.src &&
    republish?.dest === wanted.republish?.dest &&
    republish?.headers_only !== true &&
    current.discard === DiscardPolicy.Old &&
    current.max_msgs_per_subject <= 0 &&
    maxAge === current.max_age &&
    current.max_msgs === wanted.max_msgs &&
    current.max_bytes === wanted.max_bytes &&
    (maxAge === 0 || millis(current.duplicate_window) <= millis(maxAge));
  if (fits) return undefined;
  return {
    subjects,
    ...(wanted.republish === undefined ? {} : { republish: wanted.republish }),
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: -1,
    max_age: maxAge,
    max_msgs: wanted.max_msgs,
    max_bytes: wanted.max_bytes,
    duplicate_window: wanted.duplicate_window,
  } as Partial<StreamConfig>;
}

/** The epoch of a stream: a digest of its name and creation time (a re-created one differs). */
export function epochOf(info: StreamInfo): string {
  const created = String(info.created);
  return createHash("sha256")
    .update(`${info.config.name}\u0000${created}`)
    .digest("base64url")
    .slice(0, 16);
}

/** Whether a server version (`2.9.10`) is at least `major.minor`. */
export function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? "");
  if (match === null) return false;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}
