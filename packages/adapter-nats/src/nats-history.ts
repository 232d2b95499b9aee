// The recovery history of one namespace (cluster-history.ts in @switchyard/server) on the history
// stream of its prefix: history subjects `{prefix}.h.{nsp}.…`, republished by the stream to the
// subjects the adapters subscribe to; session records in the prefix's bucket under `{nsp}.`.
import type {
  ClusterHistory,
  ClusterTarget,
  HistoryRead,
  LogPosition,
  SessionStore,
} from "@switchyard/server";
import type { HistoryStream } from "./history-stream.js";
import { KvSessionStore } from "./session-store.js";
import { historySubjectFor } from "./subjects.js";

/** The history of namespace `nsp` on `stream`. */
export class NatsHistory implements ClusterHistory {
  readonly sessions: SessionStore;
  readonly #stream: HistoryStream;
  readonly #prefix: string;
  readonly #nsp: string;
  readonly #maxDisconnectionMs: number;
  #opened = false;

  constructor(stream: HistoryStream, prefix: string, nsp: string, maxDisconnectionMs: number) {
    this.#stream = stream;
    this.#prefix = prefix;
    this.#nsp = nsp;
    this.#maxDisconnectionMs = maxDisconnectionMs;
    this.sessions = new KvSessionStore(
      { open: () => stream.sessions(), lost: () => stream.bucketLost() },
      nsp,
    );
  }

  /** The stream below (shared by the namespaces of one `createAdapter`). */
  get stream(): HistoryStream {
    return this.#stream;
  }

  async open(): Promise<string> {
    const epoch = await this.#stream.open(this.#maxDisconnectionMs);
    this.#opened = true;
    return epoch;
  }

  /** This namespace no longer uses the stream. */
  close(): void {
    if (!this.#opened) return;
    this.#opened = false;
    this.#stream.release();
  }

  append(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#stream.append(this.#subject(target), payload);
  }

  /** Stored too (a tiny entry on the node's history subject): the stream gives it its position. */
  fence(uid: string, payload: Uint8Array): Promise<void> {
    return this.#stream.append(this.#subject({ kind: "node", uid }), payload);
  }

  read(targets: ClusterTarget[], from: LogPosition): Promise<HistoryRead> {
    const subjects = [...new Set(targets.map((target) => this.#subject(target)))];
    return this.#stream.read(subjects, from);
  }

  #subject(target: ClusterTarget): string {
    return historySubjectFor(this.#prefix, this.#nsp, target);
  }
}
