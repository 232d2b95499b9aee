// A real browser (Debian chromium via playwright-core) loads the IIFE bundle from a page served
// next to the official socket.io server, connects, upgrades, exchanges binary and survives a
// server restart on the same port. Loopback only; skipped outside CI when chromium is not installed.
import { readFile } from "node:fs/promises";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, noChromium } from "../support/chromium.js";

const clientDir = join(import.meta.dirname, "..", "..", "packages", "client");
const PAGE =
  '<!doctype html><html><head><script src="/client.js"></script></head><body></body></html>';

interface Site {
  http: HttpServer;
  io: Server;
  port: number;
}

let bundle = "";

async function startSite(port = 0): Promise<Site> {
  const http = createServer((req, res) => {
    if (req.url === "/client.js") {
      res.writeHead(200, { "content-type": "application/javascript" }).end(bundle);
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    } else if (!req.url?.startsWith("/socket.io/")) {
      res.writeHead(404).end();
    }
  });
  const io = new Server(http);
  io.on("connection", (socket) => {
    socket.on("echo", (data: unknown, ack: (d: unknown) => void) => ack(data));
  });
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  return { http, io, port: (http.address() as AddressInfo).port };
}

async function stopSite(site: Site): Promise<void> {
  // Keep-alive connections of the page would hold http.close() open: drop them too.
  const closing = site.io.close();
  site.http.closeAllConnections();
  await closing;
}

interface PageClient {
  on(ev: string, fn: (...args: unknown[]) => void): void;
  once(ev: string, fn: (...args: unknown[]) => void): void;
  emit(ev: string, ...args: unknown[]): void;
  timeout(ms: number): PageClient;
  emitWithAck(ev: string, ...args: unknown[]): Promise<unknown>;
  connected: boolean;
  io: { engine: { transport: { name: string }; once(ev: string, fn: () => void): void } };
}

type PageGlobals = {
  io: (opts: object) => PageClient;
  socket: PageClient;
  disconnected: Promise<unknown>;
};

// Outside CI a machine without chromium skips this suite; under CI it must run (.ci/run installs it).
describe.skipIf(noChromium)("the IIFE bundle in chromium", () => {
  let browser: Browser;
  let page: Page;
  let site: Site;

  beforeAll(async () => {
    const { buildBundles } = (await import(join(clientDir, "scripts", "bundle.mjs"))) as {
      buildBundles: () => Promise<{ iife: string }>;
    };
    bundle = await readFile((await buildBundles()).iife, "utf8");
    site = await startSite();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${site.port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    if (site !== undefined) await stopSite(site);
  });

  it("connects, upgrades to WebSocket and round-trips binary", async () => {
    const result = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      const socket = g.io({ reconnectionDelay: 100, randomizationFactor: 0 });
      g.socket = socket;
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      if (socket.io.engine.transport.name !== "websocket") {
        await new Promise<void>((resolve) => socket.io.engine.once("upgrade", () => resolve()));
      }
      const reply = await socket.timeout(5000).emitWithAck("echo", {
        bytes: new Uint8Array([1, 2, 250]).buffer,
      });
      const bytes = (reply as { bytes: ArrayBuffer }).bytes;
      return {
        transport: socket.io.engine.transport.name,
        isArrayBuffer: bytes instanceof ArrayBuffer,
        bytes: [...new Uint8Array(bytes)],
      };
    });
    expect(result).toEqual({ transport: "websocket", isArrayBuffer: true, bytes: [1, 2, 250] });
  });

  it("reconnects after the server restarts on the same port", async () => {
    // Subscribe inside the page before stopping the server, so the event cannot be missed.
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.disconnected = new Promise((resolve) => g.socket.once("disconnect", resolve));
    });
    const port = site.port;
    await stopSite(site);
    const reason = await page.evaluate(() => (globalThis as unknown as PageGlobals).disconnected);
    expect(reason).toBe("transport close");
    const buffered = page.evaluate(() => {
      const socket = (globalThis as unknown as PageGlobals).socket;
      return socket.timeout(10_000).emitWithAck("echo", "sent while down");
    });
    site = await startSite(port);
    expect(await buffered).toBe("sent while down");
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).socket.connected)).toBe(
      true,
    );
  });
});
