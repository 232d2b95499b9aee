// The real admin UI (the static build inside @socket.io/admin-ui) in Debian's chromium, against
// an instrumented switchyard server: it logs in and shows a connected client. Offline: only
// loopback requests are let through (the build links Google Fonts and a CDN icon font).
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize } from "node:path";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import type { Browser } from "playwright-core";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, noChromium } from "../support/chromium.js";
import { ADMIN_PASSWORD, type AdminNode, startInstrumented, userClient } from "./support/admin.js";

/** The admin UI's production build, as the package ships it. */
const UI_DIST = join(
  dirname(createRequire(import.meta.url).resolve("@socket.io/admin-ui/package.json")),
  "ui",
  "dist",
);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

/** Serves UI_DIST under /ui/ (index.html for /ui/), 404 elsewhere. */
function serveUi(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const relative = path === "/ui/" ? "index.html" : path.replace(/^\/ui\//, "");
  const file = normalize(join(UI_DIST, relative));
  if (!path.startsWith("/ui/") || !file.startsWith(UI_DIST)) {
    res.writeHead(404).end();
    return;
  }
  readFile(file).then(
    (body) => {
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    },
    () => res.writeHead(404).end(),
  );
}

describe.skipIf(noChromium)("@socket.io/admin-ui in chromium", () => {
  let browser: Browser;
  let node: AdminNode;
  let client: ClientSocket;

  beforeAll(async () => {
    node = await startInstrumented("browser-test", undefined, serveUi);
    node.io.on("connection", (socket) => void socket.join("visible-room"));
    client = userClient(node.url);
    await waitFor(client, "connect", 10_000);
    browser = await launchChromium({ timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await browser?.close();
    await node?.io.close();
  });

  it("logs in and shows the connected client on the sockets page", async () => {
    const context = await browser.newContext();
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${node.url}/ui/`);
    await page.getByLabel("Server URL").fill(node.url);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Connect" }).click();
    // Logged in: the connection dialog closes and the dashboard counts the client.
    await page.getByLabel("Server URL").waitFor({ state: "hidden", timeout: 15_000 });
    await page.goto(`${node.url}/ui/#/sockets`);
    const id = client.id ?? "";
    await page.getByText(id).first().waitFor({ timeout: 15_000 });
    await page.getByText(id).first().click();
    await page.getByText("visible-room").first().waitFor({ timeout: 15_000 });
    await page.getByText("CONNECTED").first().waitFor();
    // An action from the page: join a room (the server-side socket joins it).
    await page.getByLabel("Join a room").fill("from-the-ui");
    // Its button shows an icon of the (blocked) CDN font: found as the form's only button.
    await page
      .locator("form", { has: page.getByLabel("Join a room") })
      .getByRole("button")
      .click();
    const socket = node.io.of("/").sockets.get(id);
    await waitUntil(() => socket?.rooms.has("from-the-ui") === true, "joined from the UI", 10_000);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
