// The timers a client starts (heartbeat, connect and request timeouts, reconnection delay, ack
// timeouts). `useNativeTimers` (as in socket.io-client): the setTimeout/clearTimeout this module
// found when it was first loaded, so that a test faking the globals afterwards (fake timers) does
// not slow or freeze the client; else the globals of the moment. `autoUnref` (Node): the timer
// does not keep the process running.

/** The client options that apply to its timers. */
export interface TimerOptions {
  readonly useNativeTimers?: boolean | undefined;
  readonly autoUnref?: boolean | undefined;
}

const native: readonly [typeof setTimeout, typeof clearTimeout] = [setTimeout, clearTimeout];

/**
 * Runs `fn` after `ms`; returns the function that cancels it. `unref` defaults to `autoUnref`.
 * @example this.#subs.push(startTimer(this.opts, () => this.#reconnect(), delay))
 */
export function startTimer(
  opts: TimerOptions,
  fn: () => void,
  ms: number,
  unref: boolean | undefined = opts.autoUnref,
): () => void {
  // Called detached: browsers accept setTimeout/clearTimeout without a `this`.
  const [set, clear] = opts.useNativeTimers ? native : [setTimeout, clearTimeout];
  const handle = set(fn, ms);
  // Node's Timeout objects have unref(); browsers return numbers.
  if (unref) (handle as { unref?: () => void }).unref?.();
  return () => clear(handle);
}
