// Type tests of the server generics: checked by `tsc -p tsconfig.test.json` (and by a vitest
// `typecheck` project once one exists). No runtime assertions.

import type {
  AttachTarget,
  BroadcastOperator,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  DisconnectReason,
  EngineServer,
  EventNamesWithAck,
  EventNamesWithError,
  EventNamesWithoutAck,
  Namespace,
  RemoteSocket,
  RemoveAcknowledgements,
  Socket,
} from "@switchyard/server";
import { Server } from "@switchyard/server";
import { describe, expectTypeOf, it } from "vitest";

interface ClientToServer {
  hello: (name: string) => void;
  sum: (a: number, b: number, ack: (total: number) => void) => void;
}

interface ServerToClient {
  news: (title: string, year: number) => void;
  ask: (question: string, ack: (answer: string) => void) => void;
}

interface InterServer {
  ping: () => void;
  count: (ack: (n: number) => void) => void;
}

interface Data {
  user: string;
}

describe("typed events", () => {
  it("splits event names with and without acks", () => {
    expectTypeOf<EventNamesWithAck<ServerToClient>>().toEqualTypeOf<"ask">();
    expectTypeOf<EventNamesWithoutAck<ServerToClient>>().toEqualTypeOf<"news">();
    expectTypeOf<keyof RemoveAcknowledgements<ServerToClient>>().toEqualTypeOf<"news">();
  });

  it("decorates acks with an Error first after timeout(), and arrays for broadcasts", () => {
    type Timed = DecorateAcknowledgements<ServerToClient>["ask"];
    expectTypeOf<Parameters<Parameters<Timed>[1]>>().toEqualTypeOf<[err: Error, answer: string]>();
    type Multi = DecorateAcknowledgementsWithMultipleResponses<ServerToClient>["ask"];
    expectTypeOf<Parameters<Parameters<Multi>[1]>>().toEqualTypeOf<[answer: string[]]>();
  });
});

describe("Server generics", () => {
  const io = new Server<ClientToServer, ServerToClient, InterServer, Data>();

  it("types connection listeners, socket listeners and socket.data", () => {
    io.on("connection", (socket) => {
      expectTypeOf(socket).toEqualTypeOf<
        Socket<ClientToServer, ServerToClient, InterServer, Data>
      >();
      expectTypeOf(socket.data).toEqualTypeOf<Data>();
      socket.on("hello", (name) => expectTypeOf(name).toEqualTypeOf<string>());
      socket.on("sum", (a, b, ack) => ack(a + b));
      socket.on("disconnect", (reason) => expectTypeOf(reason).toEqualTypeOf<DisconnectReason>());
      socket.emit("news", "title", 2024);
      socket.emit("ask", "why?", (answer) => expectTypeOf(answer).toEqualTypeOf<string>());
      socket.timeout(100).emit("ask", "why?", (err, answer) => {
        expectTypeOf(err).toEqualTypeOf<Error>();
        expectTypeOf(answer).toEqualTypeOf<string>();
      });
      expectTypeOf(socket.emitWithAck("ask", "q")).toEqualTypeOf<Promise<string>>();
      // @ts-expect-error wrong argument type
      socket.emit("news", 1, 2);
      // @ts-expect-error unknown event
      socket.emit("nope");
    });
  });

  it("types broadcasts: no ack without timeout(), arrays of responses with it", () => {
    io.emit("news", "t", 1);
    // @ts-expect-error a server-wide emit cannot carry an ack without timeout()
    io.emit("ask", "q", () => undefined);
    io.timeout(100).emit("ask", "q", (err, answers) => {
      expectTypeOf(err).toEqualTypeOf<Error>();
      expectTypeOf(answers).toEqualTypeOf<string[]>();
    });
    expectTypeOf(io.to("room")).toEqualTypeOf<
      BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<ServerToClient>, Data>
    >();
    expectTypeOf(io.timeout(5).emitWithAck("ask", "q")).toEqualTypeOf<Promise<string[]>>();
  });

  it("types fetchSockets and server-side events", () => {
    expectTypeOf(io.fetchSockets()).toEqualTypeOf<Promise<RemoteSocket<ServerToClient, Data>[]>>();
    io.serverSideEmit("ping");
    expectTypeOf(io.serverSideEmitWithAck("count")).toEqualTypeOf<Promise<number[]>>();
    expectTypeOf(io.engine.clientsCount).toEqualTypeOf<number>();
    io.on("ping", () => undefined);
  });

  it("defaults to untyped events", () => {
    const untyped = new Server();
    untyped.on("connection", (socket) => {
      socket.on("anything", (a: number, b: string) => [a, b]);
      socket.emit("whatever", 1, "two", { three: 3 });
      socket.data.anything = true;
    });
    untyped.emit("x", 1);
  });
});

describe("more of the typed surface", () => {
  const io = new Server<ClientToServer, ServerToClient, InterServer, Data>();

  it("types acks that already take an Error first, and server-side acks with timeout and arrays", () => {
    interface WithError {
      checked: (cb: (err: Error, value: number) => void) => void;
      plain: (cb: (value: number) => void) => void;
    }
    expectTypeOf<EventNamesWithError<WithError>>().toEqualTypeOf<"checked">();
    type Count = DecorateAcknowledgementsWithTimeoutAndMultipleResponses<InterServer>["count"];
    expectTypeOf<Parameters<Parameters<Count>[0]>>().toEqualTypeOf<[err: Error, n: number[]]>();
  });

  it("types namespaces, socket broadcasts and their acks", () => {
    const admin = io.of("/admin");
    expectTypeOf(admin).toEqualTypeOf<
      Namespace<ClientToServer, ServerToClient, InterServer, Data>
    >();
    admin.on("connection", (socket) => {
      expectTypeOf(socket.broadcast.timeout(10).emitWithAck("ask", "q")).toEqualTypeOf<
        Promise<string[]>
      >();
      expectTypeOf(socket.to("r").emit("news", "t", 1)).toEqualTypeOf<boolean>();
      socket.join(["a", "b"]);
      expectTypeOf(socket.rooms).toEqualTypeOf<Set<string>>();
      // biome-ignore lint/suspicious/noExplicitAny: socket.io types the auth payload as any
      expectTypeOf(socket.handshake.auth).toEqualTypeOf<Record<string, any>>();
      socket.use(([event, ...args], next) => {
        expectTypeOf(event).toEqualTypeOf<string>();
        // biome-ignore lint/suspicious/noExplicitAny: socket.io's Event is [string, ...any[]]
        expectTypeOf(args).toEqualTypeOf<any[]>();
        next(new Error("no"));
      });
    });
    admin.use((socket, next) => {
      expectTypeOf(socket.data).toEqualTypeOf<Data>();
      next(Object.assign(new Error("refused"), { data: { retry: false } }));
    });
  });

  it("types RemoteSocket emits and the disconnect reasons", () => {
    void io.fetchSockets().then(([remote]) => {
      remote?.emit("news", "t", 1);
      // @ts-expect-error unknown event
      remote?.emit("nope");
      expectTypeOf(remote?.data).toEqualTypeOf<Data | undefined>();
    });
    expectTypeOf<"ping timeout">().toExtend<DisconnectReason>();
    // @ts-expect-error not a server disconnect reason
    const reason: DisconnectReason = "io client disconnect";
    void reason;
  });
});

describe("engine and httpServer, before and after attach()", () => {
  it("types both as present, as socket.io's typings do, and as they are at runtime", () => {
    // Before attach(): `engine` is created on first read, `httpServer` throws (never undefined).
    const io = new Server();
    expectTypeOf(io.engine).toEqualTypeOf<EngineServer>();
    expectTypeOf(io.httpServer).toEqualTypeOf<AttachTarget>();
    expectTypeOf(new Server(3000).engine).toEqualTypeOf<EngineServer>();
    expectTypeOf(io.listen(3000).httpServer).toEqualTypeOf<AttachTarget>();
  });

  it("compiles socket.io code that reads them on a Server it was handed", () => {
    const setup = (io: Server): void => {
      io.engine.on("connection_error", (err) => {
        expectTypeOf(err.code).toEqualTypeOf<0 | 1 | 2 | 3 | 4 | 5>();
      });
      io.engine.on("initial_headers", (headers) => {
        headers["set-cookie"] = "a=b";
      });
      expectTypeOf(io.engine.clientsCount).toEqualTypeOf<number>();
      io.httpServer.on("close", () => undefined);
    };
    setup(new Server());
  });
});
