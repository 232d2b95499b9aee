// A TCP proxy in front of the nodes of a test, routing every new connection to its current
// target; switching the target cuts the connections already open (their clients see a transport
// close, reconnect, and land on the new target), as a balancer whose node went away would.

import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** A running proxy. */
export interface SwitchProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Routes new connections to `port` and cuts every connection open now. */
  switchTo(port: number): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port, routing to `port`. */
export async function startSwitchProxy(port: number): Promise<SwitchProxy> {
  let target = port;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    switchTo(next) {
      target = next;
      for (const socket of open) socket.destroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
