// Server-driven heartbeat (docs/protocol.md §1.7): ping every pingInterval, and expect a pong within
// pingTimeout of each ping. A pong restarts the interval; other traffic while a pong is awaited
// pushes the deadline back once per ping, as engine.io 6.6 does.
//
// One scheduler serves every session of an engine: no timer or closure per session.
// All sessions share the same two delays, so a deadline set now is never earlier than one set
// before: each phase is a FIFO list (sorted by construction) threaded through the sessions
// themselves, and a single timer waits for the earliest head. Deadlines keep 1 ms precision.

/** Where a node is in its heartbeat. */
const IDLE = 0;
const INTERVAL = 1;
const AWAITING_PONG = 2;
/** Awaiting the pong, and the deadline was already pushed back once for this ping. */
const AWAITING_PONG_REFRESHED = 3;

/**
 * One session's place in the scheduler: list links, deadline and phase. Sessions extend it with
 * an object they need anyway (the session's transport sink), so it costs no object of its own.
 */
export class HeartbeatNode {
  /** @package */
  prev: HeartbeatNode | undefined = undefined;
  /** @package */
  next: HeartbeatNode | undefined = undefined;
  /** @package Monotonic ms (see `clock`) when the current phase ends. */
  due = 0;
  /** @package */
  phase: number = IDLE;
}

/** Whole milliseconds of the monotonic clock (a small integer for ~24 days of uptime). */
function clock(): number {
  return Math.floor(performance.now());
}

/** A FIFO list threaded through its targets. */
class TargetList {
  head: HeartbeatNode | undefined;
  tail: HeartbeatNode | undefined;

  push(target: HeartbeatNode): void {
    target.prev = this.tail;
    target.next = undefined;
    if (this.tail === undefined) this.head = target;
    else this.tail.next = target;
    this.tail = target;
  }

  remove(target: HeartbeatNode): void {
    const prev = target.prev;
    const next = target.next;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    target.prev = undefined;
    target.next = undefined;
  }
}

/**
 * The heartbeats of every session of one engine.
 * @example
 * const heartbeats = new HeartbeatScheduler(25_000, 20_000, ping, timeOut);
 * heartbeats.start(session); // after the open packet
 * heartbeats.onPong(session);
 */
export class HeartbeatScheduler<T extends HeartbeatNode> {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onPing: (target: T) => void;
  readonly #onTimeout: (target: T) => void;
  readonly #pings = new TargetList();
  readonly #pongs = new TargetList();
  #timer: NodeJS.Timeout | undefined;
  /** When #timer fires (clock ms); Infinity when it is not armed. */
  #timerDue = Number.POSITIVE_INFINITY;

  constructor(
    intervalMs: number,
    timeoutMs: number,
    onPing: (target: T) => void,
    onTimeout: (target: T) => void,
  ) {
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#onPing = onPing;
    this.#onTimeout = onTimeout;
  }

  /** Schedules the next ping, pingInterval from now (after the open packet, or a pong). */
  start(target: T): void {
    this.#unlink(target);
    target.phase = INTERVAL;
    target.due = clock() + this.#intervalMs;
    this.#pings.push(target);
    this.#arm(target.due);
  }

  /** A pong arrived: the peer is alive, wait for the next interval. */
  onPong(target: T): void {
    this.start(target);
  }

  /**
   * A packet other than a pong arrived. While a pong is awaited the peer is alive, but its pong
   * may be queued behind its own data (a large upload), so the deadline restarts, once per ping.
   */
  onActivity(target: T): void {
    if (target.phase !== AWAITING_PONG) return;
    this.#pongs.remove(target);
    target.phase = AWAITING_PONG_REFRESHED;
    target.due = clock() + this.#timeoutMs;
    this.#pongs.push(target);
  }

  /** Stops the target's heartbeat. */
  stop(target: T): void {
    this.#unlink(target);
    target.phase = IDLE;
    if (this.#pings.head === undefined && this.#pongs.head === undefined) {
      // Nothing left to wait for: the timer must not keep the process alive.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerDue = Number.POSITIVE_INFINITY;
    }
  }

  #unlink(target: T): void {
    const phase = target.phase;
    if (phase === INTERVAL) this.#pings.remove(target);
    else if (phase !== IDLE) this.#pongs.remove(target);
  }

  /** Makes sure the timer fires no later than `due`. */
  #arm(due: number): void {
    if (due >= this.#timerDue) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(this.#fire, Math.max(0, due - clock()));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    const now = clock();
    this.#expirePongs(now);
    this.#sendPings(now);
    const next = Math.min(
      this.#pings.head?.due ?? Number.POSITIVE_INFINITY,
      this.#pongs.head?.due ?? Number.POSITIVE_INFINITY,
    );
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  };

  #expirePongs(now: number): void {
    for (let target = this.#pongs.head; target !== undefined && target.due <= now; ) {
      this.#pongs.remove(target);
      target.phase = IDLE;
      this.#onTimeout(target as T);
      target = this.#pongs.head;
    }
  }

  #sendPings(now: number): void {
    for (let target = this.#pings.head; target !== undefined && target.due <= now; ) {
      this.#pings.remove(target);
      // The pong deadline is set before the ping goes out: sending may close the session, and
      // the stop() that follows must find (and clear) the deadline.
      target.phase = AWAITING_PONG;
      target.due = now + this.#timeoutMs;
      this.#pongs.push(target);
      this.#onPing(target as T);
      target = this.#pings.head;
    }
  }
}
