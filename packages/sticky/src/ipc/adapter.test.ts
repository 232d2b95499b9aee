// The IPC adapter on simulated IPC links (JSON round trip, asynchronous, ordered per link) to an
// in-process relay: several Servers as if each ran in its own worker.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MessageType, Server } from "@switchyard/server";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { type IpcLink, ipcLink } from "../../../../test/sticky/support/ipc-link.js";
import { IpcRelay } from "../cluster/ipc-relay.js";
import { StickyErrorCode } from "../errors.js";
import { createAdapter, type IpcAdapter } from "./adapter.js";
import { IPC_ADAPTER_MARKER } from "./adapter-message.js";
import type { IpcBus } from "./bus.js";

/** A simulated worker channel (JSON round trip, asynchronous, ordered) with short subscribes. */
const link = (relay: IpcRelay | undefined): IpcLink => ipcLink(relay, 300);

const OPTIONS = { heartbeatInterval: 100, heartbeatTimeout: 2000, requestsTimeout: 1500 };
const servers: Server[] = [];
const clients: ClientSocket[] = [];

async function node(bus: IpcBus): Promise<{ io: Server; adapter: IpcAdapter; url: string }> {
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter({ ...OPTIONS, bus }) });
  servers.push(io);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { io, adapter: io.of("/").adapter as unknown as IpcAdapter, url };
}

function next(client: ClientSocket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => client.once(event, (...args: unknown[]) => resolve(args)));
}

async function until(condition: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.allSettled(servers.splice(0).map((io) => io.close()));
});

describe("createAdapter (IPC)", () => {
  it("refuses to run outside a cluster worker without a bus", () => {
    expect(() => createAdapter()).toThrow(
      expect.objectContaining({ code: StickyErrorCode.WRONG_PROCESS }),
    );
  });

  it("broadcasts and counts servers across simulated workers", async () => {
    const relay = new IpcRelay();
    const nodes = await Promise.all([node(link(relay).bus), node(link(relay).bus)]);
    await until(async () => (await nodes[0].adapter.serverCount()) === 2);
    const client = ioc(nodes[1].url, { forceNew: true, transports: ["websocket"] });
    clients.push(client);
    await next(client, "connect");
    const got = next(client, "hello");
    nodes[0].io.emit("hello", Buffer.from([1, 2, 255]));
    const [payload] = (await got) as [Buffer];
    expect([...new Uint8Array(payload)]).toEqual([1, 2, 255]);
    expect(relay.stats().published).toBeGreaterThan(0);
  });

  it("serves two Servers of one worker through one bus without a relay round trip", async () => {
    const relay = new IpcRelay();
    const shared = link(relay);
    const [a, b] = await Promise.all([node(shared.bus), node(shared.bus)]);
    await until(async () => (await a.adapter.serverCount()) === 2);
    b.io.on("who", (cb: (x: string) => void) => cb("b"));
    expect(await a.io.serverSideEmitWithAck("who")).toEqual(["b"]);
    expect(relay.stats().delivered).toBe(0);
  });

  it("fails the subscriptions when no relay answers, and reports it", async () => {
    const lonely = await node(link(undefined).bus);
    const [error] = (await once(lonely.adapter, "error")) as [{ code: string; cause: Error }];
    expect(error.code).toBe("SY_ERR_ADAPTER_SUBSCRIBE_FAILED");
    expect(error.cause.message).toMatch(/no IPC relay/);
    expect(await lonely.adapter.serverCount()).toBe(1);
  });

  it("completes pending requests at once when the relay reports a worker gone", async () => {
    const relay = new IpcRelay();
    const links = [link(relay), link(relay), link(relay)];
    const [a, b, c] = await Promise.all(links.map((l) => node(l.bus)));
    if (a === undefined || b === undefined || c === undefined) throw new Error("three nodes");
    await until(async () => (await a.adapter.serverCount()) === 3);
    b.io.on("slow", (cb: (x: string) => void) => cb("b"));
    c.io.on("slow", () => undefined);
    const started = Date.now();
    const pending = a.io.serverSideEmitWithAck("slow");
    await new Promise((resolve) => setTimeout(resolve, 50));
    links[2]?.kill();
    expect(await pending).toEqual(["b"]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await a.adapter.serverCount()).toBe(2);
    expect(a.adapter.bus.counters.gone).toBe(1);
  });

  it("ignores foreign and malformed IPC values from the primary and keeps working", async () => {
    const relay = new IpcRelay();
    const [la, lb] = [link(relay), link(relay)];
    const [a, b] = await Promise.all([node(la.bus), node(lb.bus)]);
    await until(async () => (await a.adapter.serverCount()) === 2);
    const before = { ...lb.bus.counters };
    const marker = IPC_ADAPTER_MARKER;
    for (const value of [
      { cmd: "app-message" },
      "text",
      { marker, kind: "deliver", topic: 5 },
      { marker, kind: "subscribed", id: 99_999 },
      { marker, kind: "gone", nodes: [{ uid: 1 }] },
      { marker, kind: "deliver", topic: '["/","all"]', payload: "!!not base64!!" },
    ]) {
      lb.toWorker(value);
    }
    await until(() => lb.bus.counters.malformed - before.malformed >= 3);
    expect(lb.bus.counters.ignored - before.ignored).toBe(2);
    expect(b.adapter.counters.dropped).toBeGreaterThan(0);
    b.io.on("still", (cb: (x: string) => void) => cb("ok"));
    expect(await a.io.serverSideEmitWithAck("still")).toEqual(["ok"]);
  });

  it("routes responses to the requesting node only", async () => {
    const relay = new IpcRelay();
    const [a, , c] = await Promise.all([0, 1, 2].map(() => node(link(relay).bus)));
    if (a === undefined || c === undefined) throw new Error("three nodes");
    await until(async () => (await a.adapter.serverCount()) === 3);
    const heard = c.adapter.counters.receivedByType;
    const before = heard[MessageType.FETCH_SOCKETS_RESPONSE] ?? 0;
    await a.io.fetchSockets();
    expect(heard[MessageType.FETCH_SOCKETS_RESPONSE] ?? 0).toBe(before);
  });
});
