// The `npm start` demo in a real browser (Debian chromium via playwright-core): two pages land on
// different workers (the page shows its node), join a room and chat with delivery acks; then the
// worker of one page is killed and that page reconnects and keeps its room. Loopback only; skipped
// outside CI when chromium is not installed.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, noChromium } from "../support/chromium.js";
import { alive, type Demo, killDemo, startDemo, stopDemo } from "./demo-process.js";

/** Resolves once process `pid` is gone (bounded). */
async function waitUntilDead(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the demo page exposes as `window.demo`. */
interface PageState {
  node: string | undefined;
  hellos: { node: string; recovered: boolean; missed: string[] }[];
  cluster: { node: string; clients: number }[];
  messages: { room: string; from: string; fromNode: string; text: string }[];
  acks: { text: string; ok?: boolean; delivered?: number; rtt: number; error?: string }[];
  joined: Set<string>;
  socket: {
    connected: boolean;
    id: string | undefined;
    timeout(ms: number): {
      emitWithAck(event: "presence"): Promise<{ online: { id: string; rooms: string[] }[] }>;
    };
  };
}

declare global {
  interface Window {
    demo: PageState;
  }
}

/** Opens the page as `name` until its node differs from `avoid` (bounded); returns the node. */
async function openElsewhere(page: Page, url: string, name: string, avoid?: string) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.goto(`${url}/?name=${name}`);
    await page.waitForFunction(
      () => window.demo?.node !== undefined && window.demo.joined.size > 0,
    );
    const node = await page.evaluate(() => window.demo.node as string);
    await hasText(page, "#node", node);
    if (node !== avoid) return node;
  }
  throw new Error(`${name} kept landing on ${avoid}`);
}

/** Waits until the element matching `selector` contains `text`. */
async function hasText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([s, t]) => document.querySelector(s as string)?.textContent?.includes(t as string) === true,
    [selector, text],
    { timeout: 10_000 },
  );
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.click("#chat-form button[type=submit]");
}

async function received(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => window.demo.messages.some((m) => m.text === t), text, {
    timeout: 10_000,
  });
}

async function onlineCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => document.getElementById("count")?.textContent === String(n),
    count,
    {
      timeout: 10_000,
    },
  );
}

describe.skipIf(noChromium)("the demo in chromium", () => {
  let browser: Browser | undefined;
  let demo: Demo | undefined;

  beforeAll(async () => {
    demo = await startDemo({ WORKERS: "3" });
    browser = await launchChromium({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (demo) killDemo(demo);
  });

  it("two pages on different workers chat; a page whose worker is killed recovers on another with what it missed", {
    timeout: 45_000,
  }, async () => {
    if (!browser || !demo) throw new Error("setup failed");
    // One context each: two windows, so neither page is a throttled background tab.
    const contexts = [await browser.newContext(), await browser.newContext()];
    const [ann, ben] = await Promise.all(contexts.map((context) => context.newPage()));
    if (!ann || !ben) throw new Error("no pages");
    const annNode = await openElsewhere(ann, demo.url, "ann");
    const benNode = await openElsewhere(ben, demo.url, "ben", annNode);
    expect(benNode).not.toBe(annNode);
    await onlineCount(ann, 2);
    await onlineCount(ben, 2);
    // Presence shows each participant with its node.
    await hasText(ann, "#presence", `ben on ${benNode}`);
    await hasText(ben, "#presence", `ann on ${annNode}`);

    await send(ann, "hi ben");
    await received(ben, "hi ben");
    await ann.waitForFunction(() => window.demo.acks.some((a) => a.text === "hi ben"));
    const ack = await ann.evaluate(() => window.demo.acks.find((a) => a.text === "hi ben"));
    expect(ack).toMatchObject({ ok: true, delivered: 1 });
    await hasText(ann, "#log", "1 delivered");

    // The cluster panel lists the three nodes, each with its clients.
    await ben.waitForFunction(() => window.demo.cluster.length === 3, undefined, {
      timeout: 10_000,
    });
    await hasText(ben, "#cluster", `${annNode} 1 client`);
    // Ben kills ann's node from his page (SIGKILL, no goodbye) and writes to her at once: her
    // session comes back on another worker (or the respawn) with that message, missed while away.
    const pid = demo.pidOf.get(annNode);
    expect(pid).toBeTypeOf("number");
    const annId = await ann.evaluate(() => window.demo.socket.id);
    const killedAt = Date.now();
    await ben.click(`#cluster button[data-node="${annNode}"][data-action="kill"]`);
    await waitUntilDead(pid as number);
    await send(ben, "while you were away");
    await ann.waitForFunction(
      () => window.demo.hellos.length >= 2 && window.demo.socket.connected,
      undefined,
      { timeout: 15_000 },
    );
    const annAfter = await ann.evaluate(() => window.demo.hellos.at(-1));
    expect(annAfter).toMatchObject({ recovered: true, missed: ["while you were away"] });
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    await hasText(ann, "#recovery", `recovered on ${annAfter?.node}`);
    await hasText(ann, "#log", "while you were away — missed while away");
    // Same session, same room, cluster-wide: asked from ben's node, ann's socket is in #lobby.
    expect(await ann.evaluate(() => window.demo.socket.id)).toBe(annId);
    await ben.waitForFunction(
      async (id) => {
        const presence = await window.demo.socket.timeout(5000).emitWithAck("presence");
        return presence.online.some((who) => who.id === id && who.rooms.includes("lobby"));
      },
      annId,
      { timeout: 10_000, polling: 200 },
    );
    await hasText(ann, "#presence", `ann on ${annAfter?.node} in #lobby`);

    await send(ben, "welcome back ann");
    await received(ann, "welcome back ann");
    await send(ann, "thanks ben");
    await received(ben, "thanks ben");
    await Promise.all(contexts.map((context) => context.close()));

    // The respawn of the killed node is not needed by the steps above (ann recovers on any
    // node); on a loaded machine it may still be starting: wait for its "started" line.
    const respawnDeadline = Date.now() + 15_000;
    while (demo.workerPids.size < 4 && Date.now() < respawnDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await stopDemo(demo)).toBe(0);
    expect(demo.workerPids.size).toBe(4); // 3 + the respawn of the killed one
    for (const workerPid of demo.workerPids) expect(alive(workerPid)).toBe(false);
  });
});
