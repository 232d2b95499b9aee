// Keeps one node's bus messages in publish order across the two paths that NATS takes with
// recovery on: ordered messages are history appends, which the stream republishes to the
// subscribers only once stored, while ordinary ones (requests, heartbeats, socketsJoin…) go
// straight to them. An ordinary message published after appends therefore waits until those were
// stored (so they were republished before it: the stream sends a republish before the
// acknowledgement), at most `maxWaitMs`; whatever is published after it waits until it went out.
// Appends alone are never held: they are pipelined (JetStream keeps the order of one connection).

/** Orders one adapter's appends and ordinary publishes (see the file comment). */
export class PublishSequencer {
  readonly #maxWaitMs: number;
  /** Appends sent and not yet acknowledged (or failed). */
  readonly #unacked: Set<Promise<void>> = new Set();
  /** Resolves once everything queued so far went out; undefined when nothing waits. */
  #tail: Promise<void> | undefined;

  constructor(maxWaitMs: number) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** Sends an append now, or right after the ordinary messages queued before it. */
  append(send: () => Promise<void>): Promise<void> {
    if (this.#tail === undefined) return this.#track(send());
    let result: Promise<void> = Promise.resolve();
    const sent = this.#tail.then(() => {
      try {
        result = this.#track(send());
      } catch (err) {
        result = Promise.reject(err);
      }
    });
    this.#setTail(sent);
    return sent.then(() => result);
  }

  /** Sends an ordinary message now, or once the appends before it were stored (bounded). */
  publish(send: () => Promise<void>): Promise<void> {
    if (this.#tail === undefined && this.#unacked.size === 0) return send();
    const before = this.#tail ?? Promise.resolve();
    const done = before.then(() => this.#stored()).then(send);
    this.#setTail(done.then(noop, noop));
    return done;
  }

  /** Resolves when every append sent so far was acknowledged or failed, or after the bound. */
  #stored(): Promise<void> {
    if (this.#unacked.size === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#maxWaitMs);
      timer.unref();
    });
    const all = Promise.allSettled([...this.#unacked]).then(noop);
    return Promise.race([all, bound]).finally(() => clearTimeout(timer));
  }

  #track(appending: Promise<void>): Promise<void> {
    const settled = appending.then(noop, noop);
    this.#unacked.add(settled);
    void settled.then(() => this.#unacked.delete(settled));
    return appending;
  }

  #setTail(tail: Promise<void>): void {
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = undefined;
    });
  }
}

function noop(): void {}
