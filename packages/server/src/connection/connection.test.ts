import { EventEmitter } from "node:events";
import type { Packet } from "@switchyard/protocol";
import { Decoder, Encoder, PacketType } from "@switchyard/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EncodedPacket } from "../transport/encoded-packet.js";
import {
  Connection,
  type ConnectionHost,
  type ConnectionSocket,
  type ConnectTarget,
} from "./connection.js";
import type { EngineRequest, EngineSessionLike } from "./engine-session.js";

class FakeSession extends EventEmitter implements EngineSessionLike {
  readonly id = "fake-session-id";
  readonly request = { headers: {}, url: "/socket.io/?EIO=4" } as EngineRequest;
  readonly remoteAddress = "127.0.0.1";
  readonly protocol = 4;
  readyState = "open";
  readonly transport = { name: "websocket", writable: true };
  readonly written: unknown[] = [];
  write(data: string | Buffer): this {
    this.written.push(data);
    return this;
  }
  close(): this {
    this.readyState = "closed";
    this.emit("close", "forced close");
    return this;
  }
}

class FakeSocket implements ConnectionSocket {
  readonly packets: Packet[] = [];
  readonly closes: string[] = [];
  readonly id: string;
  readonly nsp: { name: string };
  constructor(id: string, nsp: { name: string }) {
    this.id = id;
    this.nsp = nsp;
  }
  onPacket(packet: Packet): void {
    this.packets.push(packet);
  }
  onClose(reason: string): void {
    this.closes.push(reason);
  }
  onError(): void {}
  disconnect(): void {}
}

function setup(known: string[] = ["/"], connectTimeoutMs = 1000, sharedDecoding = true) {
  const session = new FakeSession();
  const sockets: FakeSocket[] = [];
  const shared = new Decoder();
  const created: Decoder[] = [];
  const host: ConnectionHost = {
    encoder: new Encoder(),
    createDecoder: () => {
      const decoder = new Decoder();
      created.push(decoder);
      return decoder;
    },
    sharedDecoder: () => (sharedDecoding ? shared : undefined),
    connectTimeoutMs: () => connectTimeoutMs,
    resolveNamespace: (name, _auth, done) => {
      if (!known.includes(name)) return done(undefined);
      const target: ConnectTarget = {
        name,
        addSocket: (_c, _a, onConnected) => {
          const socket = new FakeSocket(`id-${sockets.length}`, { name });
          sockets.push(socket);
          onConnected(socket);
        },
      };
      done(target);
    },
  };
  const connection = new Connection(host, session);
  return { session, sockets, connection, created };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Connection", () => {
  it("routes a CONNECT to its namespace and later packets to the socket, on the next tick", async () => {
    const { session, sockets } = setup();
    session.emit("data", "0");
    expect(sockets).toHaveLength(1);
    session.emit("data", '2["hi"]');
    expect(sockets[0]?.packets).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(sockets[0]?.packets).toEqual([{ type: PacketType.EVENT, nsp: "/", data: ["hi"] }]);
  });

  it("answers an unknown namespace with CONNECT_ERROR and stays open", () => {
    const { session } = setup([]);
    session.emit("data", "0/nope,");
    expect(session.written).toEqual(['4/nope,{"message":"Invalid namespace"}']);
    expect(session.readyState).toBe("open");
  });

  it("closes with forced server close on a duplicate CONNECT", () => {
    const { session, sockets } = setup();
    session.emit("data", "0");
    session.emit("data", "0");
    expect(session.readyState).toBe("closed");
    expect(sockets[0]?.closes).toEqual(["forced server close"]);
  });

  it("closes when no namespace is joined within connectTimeout", () => {
    vi.useFakeTimers();
    const { session } = setup(["/"], 100);
    vi.advanceTimersByTime(99);
    expect(session.readyState).toBe("open");
    vi.advanceTimersByTime(1);
    expect(session.readyState).toBe("closed");
  });

  it("collects attachments with its own decoder, then goes back to the shared one", async () => {
    const { session, sockets, created } = setup();
    session.emit("data", "0");
    session.emit("data", '51-["bin",{"_placeholder":true,"num":0}]');
    expect(created).toHaveLength(1);
    session.emit("data", Buffer.from([1, 2]));
    session.emit("data", '2["text"]');
    await new Promise((r) => process.nextTick(r));
    expect(sockets[0]?.packets).toEqual([
      { type: PacketType.EVENT, nsp: "/", data: ["bin", Buffer.from([1, 2])] },
      { type: PacketType.EVENT, nsp: "/", data: ["text"] },
    ]);
    expect(created).toHaveLength(1);
  });

  it("uses the decoded event of a parser without a shared decoder", async () => {
    const { session, sockets, created } = setup(["/"], 1000, false);
    session.emit("data", "0");
    session.emit("data", '2["hi"]');
    await new Promise((r) => process.nextTick(r));
    expect(sockets[0]?.packets).toEqual([{ type: PacketType.EVENT, nsp: "/", data: ["hi"] }]);
    expect(created).toHaveLength(1);
  });

  it("closes the session on a decode error", () => {
    const { session, sockets } = setup();
    session.emit("data", "0");
    session.emit("data", "9");
    expect(session.readyState).toBe("closed");
    expect(sockets[0]?.closes).toEqual(["forced close"]);
  });

  it("writes broadcast chunks as shared pre-encoded packets when the engine supports it", () => {
    const a = setup();
    const b = setup();
    const preEncoded: EncodedPacket[][] = [[], []];
    [a, b].forEach(({ session }, i) => {
      Object.assign(session, {
        writePreEncoded: (packet: EncodedPacket) => preEncoded[i]?.push(packet),
      });
    });
    const chunks = ['2["x"]'];
    a.connection.writeEncoded(chunks, {});
    b.connection.writeEncoded(chunks, {});
    expect(preEncoded[0]?.[0]).toBeInstanceOf(EncodedPacket);
    expect(preEncoded[0]?.[0]).toBe(preEncoded[1]?.[0]);
  });

  it("drops a volatile packet when the transport is not writable", () => {
    const { session, connection } = setup();
    Object.assign(session.transport, { writable: false });
    connection.writePacket({ type: PacketType.EVENT, nsp: "/", data: ["v"] }, { volatile: true });
    expect(session.written).toEqual([]);
  });
});
