// Seeing a lost ordered message (recovery): each one carries the position of the previous entry
// of its log; a node that delivered another one last from that log missed some (a subscription
// re-made during a broker failover, or after a restart). The missing entries are read back from
// the log and delivered first, in order, while later ordered messages wait.
import { type ClusterTarget, logKeyOf } from "./cluster-bus.js";
import {
  type ClusterHistory,
  comparePositions,
  type DeliveredPosition,
  type LogPosition,
} from "./cluster-history.js";

/** What the chains need from their adapter. */
export interface ChainHost {
  /** Delivers an ordered message (after the chain let it through). */
  deliver(payload: Uint8Array, position: DeliveredPosition, target: ClusterTarget): void;
  history(): ClusterHistory | undefined;
  /** A read back failed. */
  failed(cause: unknown): void;
}

type Held = { payload: Uint8Array; position: DeliveredPosition; target: ClusterTarget };

const START_OF_LOG: LogPosition = Object.freeze({ major: 0, minor: 0 });

/** The last entry delivered per followed log, and the catch-ups. */
export class LogChains {
  /** Entries read back from a log after a lost message. */
  caughtUp = 0;
  readonly #host: ChainHost;
  readonly #last: Map<string, DeliveredPosition> = new Map();
  #held: Held[] = [];
  #catchingUp = false;

  constructor(host: ChainHost) {
    this.#host = host;
  }

  /** Passes an ordered message on, or first what its log lost before it. */
  offer(payload: Uint8Array, position: DeliveredPosition, target: ClusterTarget): void {
    if (this.#catchingUp) {
      this.#held.push({ payload, position, target });
      return;
    }
    const key = logKeyOf(target);
    const known = this.#last.get(key);
    // A new history (the broker restarted without persistence) while this node followed the log:
    // everything of the new one was meant for it, from its very start.
    const last = known === undefined || known.epoch === position.epoch ? known : START_OF_LOG;
    const prev = position.prev;
    if (last !== undefined && prev !== undefined && comparePositions(prev, last) > 0) {
      this.#held.push({ payload, position, target });
      void this.#catchUp(target, last, position);
      return;
    }
    if (prev !== undefined) this.#last.set(key, position);
    this.#host.deliver(payload, position, target);
  }

  /** This node stopped following a log: its chain restarts at the next subscription. */
  forget(target: ClusterTarget): void {
    this.#last.delete(logKeyOf(target));
  }

  async #catchUp(target: ClusterTarget, last: LogPosition, upTo: DeliveredPosition): Promise<void> {
    this.#catchingUp = true;
    try {
      const read = await this.#host.history()?.read([target], last);
      if (read?.ok === true) {
        const missed = read.entries
          .filter((e) => comparePositions(e, last) > 0 && comparePositions(e, upTo) < 0)
          .sort(comparePositions);
        for (const entry of missed) {
          this.caughtUp++;
          const position = { epoch: read.epoch, major: entry.major, minor: entry.minor };
          this.#host.deliver(entry.payload, position, target);
        }
      }
    } catch (cause) {
      this.#host.failed(cause);
    } finally {
      this.#last.set(logKeyOf(target), upTo);
      this.#catchingUp = false;
      const held = this.#held;
      this.#held = [];
      // Offered as if they arrived now (one of them may show another lost message).
      for (const { payload, position, target: on } of held) this.offer(payload, position, on);
    }
  }
}
