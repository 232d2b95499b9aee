// Type-level checks of the drop-in typing (compiled by `tsc -p tsconfig.test.json`, never run).
import { io, type Socket } from "@switchyard/client";
import { expectTypeOf } from "vitest";

interface ServerToClient {
  news: (title: string, id: number) => void;
}

interface ClientToServer {
  hello: (name: string) => void;
  ask: (question: string, ack: (answer: number) => void) => void;
}

export function typedSocket(): void {
  const socket: Socket<ServerToClient, ClientToServer> = io("http://localhost:1", {
    autoConnect: false,
  });
  socket.on("news", (title, id) => {
    expectTypeOf(title).toEqualTypeOf<string>();
    expectTypeOf(id).toEqualTypeOf<number>();
  });
  socket.on("connect_error", (err) => expectTypeOf(err).toEqualTypeOf<Error>());
  socket.on("disconnect", (reason) => expectTypeOf(reason).toBeString());
  socket.emit("hello", "me");
  // @ts-expect-error: wrong argument type
  socket.emit("hello", 1);
  // @ts-expect-error: unknown event
  socket.emit("nope");
  expectTypeOf(socket.timeout(10).emitWithAck("ask", "why")).toEqualTypeOf<Promise<number>>();
}

export function untypedSocket(): void {
  const socket = io();
  socket.on("anything", (a: string, b: { x: number }) => [a, b]);
  socket.emit("anything", 1, { deep: [new Uint8Array(1)] }, () => {});
  expectTypeOf(socket.io.reconnectionDelay()).toEqualTypeOf<number>();
}
