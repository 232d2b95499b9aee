import type { Packet } from "@switchyard/protocol";
import { Encoder } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type {
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  Room,
  SocketDetails,
} from "../adapter/adapter.js";
import { Adapter } from "../adapter/in-memory.js";
import type { Handshake } from "../socket/handshake.js";
import { BroadcastOperator } from "./operator.js";
import { RemoteSocket } from "./remote-socket.js";

const details: SocketDetails = {
  id: "remote-1",
  handshake: { auth: { a: 1 } } as unknown as Handshake,
  rooms: ["remote-1", "blue"],
  data: { user: "bob" },
};

/** An adapter whose only socket lives on "another node". */
class RemoteAdapter extends Adapter {
  readonly log: string[] = [];
  override fetchSockets(_opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>> {
    return Promise.resolve([details]);
  }
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    this.log.push(`broadcast:${[...opts.rooms]}:${JSON.stringify(packet.data)}`);
  }
  override broadcastWithAck(
    _packet: Packet,
    opts: BroadcastOptions,
    clientCount: (n: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    this.log.push(`ack:${[...opts.rooms]}`);
    clientCount(1);
    ack("pong");
  }
  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.log.push(`join:${[...opts.rooms]}:${rooms}`);
  }
  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.log.push(`leave:${[...opts.rooms]}:${rooms}`);
  }
  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    this.log.push(`disconnect:${[...opts.rooms]}:${close}`);
  }
}

function remoteAdapter(): RemoteAdapter {
  const nsp: AdapterNamespace = {
    name: "/",
    sockets: new Map(),
    encoder: new Encoder(),
    recovery: undefined,
    nextAckId: () => 0,
    onServerSideEmit: () => undefined,
  };
  return new RemoteAdapter(nsp);
}

describe("RemoteSocket", () => {
  it("wraps a remote socket's details with id, handshake, rooms and data", async () => {
    const [socket] = await new BroadcastOperator(remoteAdapter()).fetchSockets();
    expect(socket).toBeInstanceOf(RemoteSocket);
    expect(socket?.id).toBe("remote-1");
    expect(socket?.rooms).toEqual(new Set(["remote-1", "blue"]));
    expect(socket?.data).toEqual({ user: "bob" });
    expect(socket?.handshake.auth).toEqual({ a: 1 });
  });

  it("acts through the adapter, targeting the socket's own room", async () => {
    const adapter = remoteAdapter();
    const [socket] = await new BroadcastOperator(adapter).fetchSockets();
    socket?.emit("hi", 1);
    socket?.join(["x", "y"]);
    socket?.leave("x");
    socket?.disconnect(true);
    expect(adapter.log).toEqual([
      'broadcast:remote-1:["hi",1]',
      "join:remote-1:x,y",
      "leave:remote-1:x",
      "disconnect:remote-1:true",
    ]);
  });

  it("delivers a single response (not an array) to an emit with ack", async () => {
    const adapter = remoteAdapter();
    const [socket] = await new BroadcastOperator(adapter).fetchSockets();
    const result = await new Promise((resolve) =>
      socket
        ?.timeout(1000)
        .emit("ping", (err: unknown, response: unknown) => resolve([err, response])),
    );
    expect(result).toEqual([null, "pong"]);
  });
});
