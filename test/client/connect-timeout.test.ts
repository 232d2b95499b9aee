// The Manager's connect timeout against a server that accepts TCP connections and never answers.

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Clients, waitFor } from "./helpers.js";

describe("connect timeout", () => {
  const clients = new Clients();
  let silent: Server;
  const sockets: Socket[] = [];
  let url = "";

  beforeEach(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    clients.closeAll();
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("reports connect_error 'timeout' with its code when the server never answers", async () => {
    const socket = clients.open(url, { timeout: 150, reconnection: false });
    const [err] = await waitFor<[Error & { code?: string }]>(socket, "connect_error");
    expect(err.message).toBe("timeout");
    expect(err.code).toBe("SY_ERR_CLIENT_CONNECT_TIMEOUT");
    expect(socket.io._readyState).toBe("closed");
  });

  it("retries after a timeout and reports reconnect_error for each failed attempt", async () => {
    const socket = clients.open(url, {
      timeout: 80,
      reconnectionDelay: 10,
      reconnectionAttempts: 2,
    });
    const errors: string[] = [];
    socket.io.on("reconnect_error", (err) => errors.push(err.message));
    await waitFor(socket.io, "reconnect_failed", 5000);
    expect(errors).toEqual(["timeout", "timeout"]);
  });
});
