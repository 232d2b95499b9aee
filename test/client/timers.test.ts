// useNativeTimers: a client created with it keeps real timers when the globals are faked after
// it was loaded (fake timers in an application's tests); without it, it uses the globals of the
// moment it is created, as socket.io-client does. Checked on the connect timeout, against a
// server that accepts TCP connections and never answers.

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { Socket as ClientSocket } from "@switchyard/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Clients, switchyardClient } from "./helpers.js";
import { officialClient } from "./official-client.js";

function nextConnectError(socket: ClientSocket): Promise<Error> {
  return new Promise((resolve) => socket.once("connect_error", resolve));
}

describe.each([switchyardClient, officialClient])("useNativeTimers ($name)", (client) => {
  const clients = new Clients(client.lookup);
  let silent: Server;
  const sockets: Socket[] = [];
  let url = "";

  beforeEach(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    vi.useRealTimers();
    clients.closeAll();
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("keeps the connect timeout on real timers while setTimeout is faked", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    // Created first: on real timers it would time out first.
    const faked = clients.open(url, { timeout: 100, reconnection: false });
    const fakedErrors: string[] = [];
    faked.on("connect_error", (err) => fakedErrors.push(err.message));
    const native = clients.open(url, { timeout: 100, reconnection: false, useNativeTimers: true });
    expect((await nextConnectError(native)).message).toBe("timeout");
    // The other one's timer is a fake: it fires only when the fake clock moves.
    expect(fakedErrors).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(fakedErrors).toEqual(["timeout"]);
  });
});
