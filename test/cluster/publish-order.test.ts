// Which bytes leave first when a broadcast has receivers on this node and on others: the bus
// message, then the local writes (the remote clients have one hop more to go), whether the
// broadcast runs in a callback (timer, I/O) or in a promise job. Neither waits for the other.
import {
  type AdapterNamespace,
  type ClusterTarget,
  InProcessAdapter,
  InProcessBus,
} from "@switchyard/server";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Node, startNode } from "../ops/ops-support.js";

const order: string[] = [];

/** The in-process adapter, recording each bus publish in `order`. */
class RecordingAdapter extends InProcessAdapter {
  protected override doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    if (target.kind === "room") order.push("bus");
    return super.doPublish(target, payload);
  }
}

interface Sendable {
  send(packets: readonly unknown[], onSent: () => void): void;
}

let node: Node;
let client: ClientSocket;

beforeAll(async () => {
  const bus = new InProcessBus();
  node = await startNode({
    adapter: (nsp: AdapterNamespace) => new RecordingAdapter(nsp, bus),
  });
  const joined = new Promise<void>((resolve) => {
    node.io.on("connection", (socket) => {
      void socket.join("room");
      // Every write of this socket's transport is recorded as "local".
      const transport = (socket.conn as unknown as { transport: Sendable }).transport;
      const send = transport.send.bind(transport);
      transport.send = (packets, onSent) => {
        order.push("local");
        send(packets, onSent);
      };
      resolve();
    });
  });
  client = connect(node.url, { transports: ["websocket"], reconnection: false });
  await joined;
});

afterAll(async () => {
  client.disconnect();
  await node.io.close();
});

/** Runs `emit` as `schedule` does, and resolves with the order once the client got the event. */
async function orderOf(schedule: (emit: () => void) => void, event: string): Promise<string[]> {
  order.length = 0;
  const got = new Promise<void>((resolve) => client.once(event, () => resolve()));
  schedule(() => node.io.to("room").emit(event));
  await got;
  return [...order];
}

describe("a room broadcast with a local receiver", () => {
  it("publishes before it writes locally, from a timer callback", async () => {
    expect(await orderOf((emit) => setTimeout(emit, 0), "from-timer")).toEqual(["bus", "local"]);
  });

  it("publishes before it writes locally, from a promise job", async () => {
    const fromPromiseJob = (emit: () => void): void => {
      setTimeout(() => {
        void Promise.resolve().then(emit);
      }, 0);
    };
    expect(await orderOf(fromPromiseJob, "from-promise")).toEqual(["bus", "local"]);
  });

  it("still delivers locally when the bus refuses the publish", async () => {
    const bus = new InProcessBus();
    const offline = await startNode({
      adapter: (nsp: AdapterNamespace) => new RecordingAdapter(nsp, bus),
    });
    const errors: unknown[] = [];
    offline.io.of("/").adapter.on("error", (error: unknown) => errors.push(error));
    const other = connect(offline.url, { transports: ["websocket"], reconnection: false });
    try {
      await new Promise<void>((resolve) => other.once("connect", () => resolve()));
      for (const socket of offline.io.sockets.sockets.values()) void socket.join("room");
      bus.setOnline(false);
      const got = new Promise<void>((resolve) => other.once("while-down", () => resolve()));
      offline.io.to("room").emit("while-down");
      await got;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toHaveLength(1);
    } finally {
      other.disconnect();
      await offline.io.close();
    }
  });
});
