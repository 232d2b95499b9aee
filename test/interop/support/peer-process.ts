// One running interop peer: a child process that takes JSON commands on stdin and prints JSON
// events on stdout (the protocol of test/interop/peers/*). Events are kept in order; waiting is
// event-driven with a deadline; stopping signals the child by its PID and awaits its exit.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { terminate } from "../../support/child-exit.js";
import type { PeerLaunch } from "../../support/peers.js";
import { Inbox } from "./inbox.js";
import type { WireValue } from "./wire.js";

/** One line a peer printed. */
export interface PeerEvent {
  ev: string;
  [key: string]: WireValue;
}

/** What the peer answered to a command. */
export type PeerReply = { ok: true; args: WireValue[] } | { ok: false; error: string };

/** What the peer says it is, in its first line. */
export interface PeerHello {
  impl: string;
  version: string;
  port?: number;
}

export class PeerProcess {
  readonly inbox: Inbox<PeerEvent> = new Inbox();
  readonly stderr: string[] = [];
  readonly #child: ChildProcess;
  #nextReq = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let event: PeerEvent;
      try {
        event = JSON.parse(line) as PeerEvent;
      } catch {
        event = { ev: "unparsed", line };
      }
      this.inbox.push(event);
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) =>
      this.stderr.push(line),
    );
    child.once("error", (error) => this.inbox.close(`the peer did not start: ${error.message}`));
    child.once("close", (code, signal) =>
      this.inbox.close(
        `the peer exited (${code ?? signal}); stderr: ${this.stderr.slice(-8).join(" | ")}`,
      ),
    );
  }

  /** Starts `launch` in `role` (a server gets `port`, 0 = any) and waits for its hello. */
  static async start(
    launch: PeerLaunch,
    role: "client" | "server",
    port?: number,
  ): Promise<{ peer: PeerProcess; hello: PeerHello }> {
    const args = [...launch.args, role, ...(role === "server" ? [String(port ?? 0)] : [])];
    const child = spawn(launch.command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const peer = new PeerProcess(child);
    try {
      const ready = await peer.next((e) => e.ev === "ready", 30_000);
      return { peer, hello: ready as unknown as PeerHello };
    } catch (error) {
      await peer.stop();
      throw error;
    }
  }

  /** Everything the peer printed so far. */
  get events(): readonly PeerEvent[] {
    return this.inbox.items;
  }

  get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** The first event from index `from` on that matches, waiting up to `timeoutMs`. */
  next(match: (event: PeerEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<PeerEvent> {
    return this.inbox.next(match, timeoutMs, from);
  }

  /** Sends a command and resolves with the peer's reply to it. */
  async request(command: Record<string, WireValue>, timeoutMs = 10_000): Promise<PeerReply> {
    const req = `r${this.#nextReq++}`;
    const from = this.events.length;
    this.send({ ...command, req });
    const reply = await this.next((e) => e.ev === "reply" && e["req"] === req, timeoutMs, from);
    return reply["ok"] === true
      ? { ok: true, args: (reply["args"] ?? []) as WireValue[] }
      : { ok: false, error: String(reply["error"]) };
  }

  /** Sends a command without waiting. */
  send(command: Record<string, WireValue>): void {
    this.#child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** Ends the peer by its PID: SIGTERM, then SIGKILL if it still runs 3 s later. */
  async stop(): Promise<void> {
    if (this.#child.pid === undefined) return; // never started
    await terminate(this.#child, "SIGTERM", 3000);
  }

  /** Kills the peer at once (a crashed server), by its PID. */
  async kill(): Promise<void> {
    if (this.#child.pid === undefined) return;
    await terminate(this.#child, "SIGKILL");
  }
}
