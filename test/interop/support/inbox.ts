// Things that arrive over time (peer lines, server events), kept in order, with event-driven
// waiting under a deadline: never a sleep.

export class Inbox<T> {
  readonly items: T[] = [];
  #waiters: Array<() => void> = [];
  #closed: string | undefined;
  readonly #describe: (item: T) => string;

  constructor(describe: (item: T) => string = (item) => JSON.stringify(item)) {
    this.#describe = describe;
  }

  push(item: T): void {
    this.items.push(item);
    this.#wake();
  }

  /** No more items will come (the source ended): pending and later waits fail at once. */
  close(reason: string): void {
    this.#closed = reason;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** The first item from index `from` on that matches, waiting up to `timeoutMs` for it. */
  next(match: (item: T) => boolean, timeoutMs = 10_000, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(this.#failure(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        const found = this.items.slice(from).find(match);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else if (this.#closed !== undefined) {
          clearTimeout(timer);
          reject(this.#failure(this.#closed));
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  #failure(what: string): Error {
    const tail = this.items.slice(-8).map(this.#describe);
    return new Error(`${what}; last: ${tail.join(" | ")}`);
  }
}
