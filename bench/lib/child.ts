// Parent side of a benchmark child process: fork a TypeScript script (through tsx, with
// --expose-gc), wait for its "ready" event, send it commands and await the replies.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import type { Command, Reply } from "./ipc.js";

export interface ChildOptions {
  /** Arguments after the script. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra node flags (e.g. --max-old-space-size). */
  execArgv?: string[];
  /** How long to wait for "ready". @default 30000 */
  readyTimeoutMs?: number;
}

/** A running benchmark child. */
export class Child<Ready = unknown> {
  readonly process: ChildProcess;
  readonly ready: Ready;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(child: ChildProcess, ready: Ready) {
    this.process = child;
    this.ready = ready;
    child.on("message", (message: Reply) => {
      if (typeof message !== "object" || message === null || !("id" in message)) return;
      const waiter = this.#pending.get(message.id);
      if (waiter === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`child ${child.pid}: ${message.error}`));
    });
    child.once("exit", (code, signal) => {
      for (const waiter of this.#pending.values()) {
        waiter.reject(new Error(`child ${child.pid} exited (${signal ?? code})`));
      }
      this.#pending.clear();
    });
  }

  /** Forks `script` and resolves once it has sent `ready(...)`. */
  static async start<R = unknown>(script: string, options: ChildOptions = {}): Promise<Child<R>> {
    const child = fork(script, options.args ?? [], {
      execArgv: ["--import", "tsx", "--expose-gc", ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const ready = new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script}: not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (message: { event?: string; data?: R }): void => {
        if (message?.event !== "ready") return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(message.data as R);
      };
      child.on("message", onMessage);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited before ready (${signal ?? code})`));
      });
    });
    try {
      return new Child<R>(child, await ready);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  /** Sends a command and resolves with the child's result. */
  request<T = unknown>(cmd: string, args?: unknown): Promise<T> {
    const id = this.#nextId++;
    const command: Command = { id, cmd, args };
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send(command, (error) => {
        if (error === null) return;
        this.#pending.delete(id);
        reject(error);
      });
    });
  }

  /** Asks the child to exit, then kills it after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = once(this.process, "exit");
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Stops every child, ignoring ones already gone. */
export async function stopAll(children: ReadonlyArray<Child | undefined>): Promise<void> {
  await Promise.all(children.map((child) => child?.stop()));
}
