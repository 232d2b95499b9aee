// Riding out a failover: the commands of one bus (publishes, history appends, session writes)
// run at once while Redis answers; once one fails, it and every later command wait in a queue,
// in their order, and the head is retried until Redis answers again (a replica was promoted, the
// slot has a master) or the bound passes — then the waiting commands fail, and are counted. A
// Redis Cluster failover thus delays a node's cross-node deliveries instead of losing them.
// Hand-written: ioredis retries a command only within `maxRedirections` × `retryDelayOn…` (well
// under a failover's seconds) and gives up on the commands in flight when a node's socket dies.

/** Bounds of the retry. */
export interface RetryOptions {
  /** How long a command may wait for Redis to answer again, in ms. @default 15000 */
  timeoutMs?: number;
  /** Most commands waiting at once; beyond it, a command fails at once. @default 10000 */
  maxQueued?: number;
  /** Pause between two tries of the head command, in ms. @default 100 */
  intervalMs?: number;
}

/** Counters of the retry (read by tests and metrics). */
export interface RetryCounters {
  /** Commands that failed once and then waited in the queue. */
  held: number;
  /** Tries that failed again while waiting. */
  retries: number;
  /** Commands that waited longer than the bound (or found the queue full) and failed. */
  failed: number;
}

interface Job {
  seq: number;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  deadline: number;
}

/** Runs commands in order, holding them through an outage (see the file comment). */
export class OrderedRetry {
  readonly counters: RetryCounters = { held: 0, retries: 0, failed: 0 };
  readonly #timeoutMs: number;
  readonly #maxQueued: number;
  readonly #intervalMs: number;
  readonly #queue: Job[] = [];
  #seq = 0;
  #draining = false;
  #closed = false;

  constructor(options: RetryOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#intervalMs = options.intervalMs ?? 100;
  }

  /** Whether commands are waiting for Redis to answer again. */
  get holding(): boolean {
    return this.#queue.length > 0;
  }

  /** Runs `command` now, or after the waiting ones; retried through an outage. */
  run<T>(command: () => Promise<T>): Promise<T> {
    const seq = this.#seq++;
    if (this.#queue.length === 0) {
      return command().catch((error: unknown) => this.#hold(seq, command, error) as Promise<T>);
    }
    return this.#enqueue(seq, command) as Promise<T>;
  }

  /** Fails every waiting command and every later one (the bus is closing). */
  close(): void {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error("the Redis bus closed"));
  }

  #hold(seq: number, command: () => Promise<unknown>, error: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(error);
    this.counters.held++;
    return this.#enqueue(seq, command);
  }

  #enqueue(seq: number, run: () => Promise<unknown>): Promise<unknown> {
    if (this.#closed || this.#queue.length >= this.#maxQueued) {
      this.counters.failed++;
      return Promise.reject(new Error("too many Redis commands waiting for a failover to end"));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { seq, run, resolve, reject, deadline: Date.now() + this.#timeoutMs };
      // Commands that failed while later ones were already waiting keep their original place.
      let at = this.#queue.length;
      while (at > 0 && (this.#queue[at - 1] as Job).seq > seq) at--;
      this.#queue.splice(at, 0, job);
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#queue.length > 0 && !this.#closed) {
      const job = this.#queue[0] as Job;
      try {
        const value = await job.run();
        this.#remove(job);
        job.resolve(value);
      } catch (error) {
        if (Date.now() >= job.deadline) {
          this.counters.failed++;
          this.#remove(job);
          job.reject(error);
          continue;
        }
        this.counters.retries++;
        await new Promise((resolve) => setTimeout(resolve, this.#intervalMs));
      }
    }
    this.#draining = false;
  }

  /** Removes `job` wherever it is now (an older command may have been put before it). */
  #remove(job: Job): void {
    const at = this.#queue.indexOf(job);
    if (at >= 0) this.#queue.splice(at, 1);
  }
}
