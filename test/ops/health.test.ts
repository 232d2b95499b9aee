// /healthz and /readyz of @switchyard/server (issue 9): opt-in, on the attached HTTP server, not
// interfering with the engine path or the application's own routes.
import { afterAll, describe, expect, it } from "vitest";
import { get, type Node, startNode } from "./ops-support.js";

const nodes: Node[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.io.close()));
});

describe("health endpoints", () => {
  it("are off by default: the application's handler answers", async () => {
    const node = await startNode({});
    nodes.push(node);
    expect((await get(`${node.url}/healthz`)).body).toBe("app 404");
    expect((await get(`${node.url}/readyz`)).status).toBe(404);
  });

  it("answer 200 when enabled; other paths and the engine are untouched", async () => {
    const node = await startNode({ health: true });
    nodes.push(node);
    expect(await get(`${node.url}/healthz`)).toMatchObject({ status: 200, body: "ok\n" });
    expect(await get(`${node.url}/readyz?x=1`)).toMatchObject({ status: 200, body: "ready\n" });
    expect((await get(`${node.url}/other`)).body).toBe("app 404");
    const handshake = await get(`${node.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    expect(handshake.body.startsWith("0{")).toBe(true);
    expect(node.io.ready).toBe(true);
  });

  it("take custom paths and readiness checks", async () => {
    let up = true;
    const node = await startNode({
      health: { healthPath: "/live", readyPath: "/ready", checks: [() => up] },
    });
    nodes.push(node);
    expect((await get(`${node.url}/live`)).status).toBe(200);
    expect((await get(`${node.url}/ready`)).status).toBe(200);
    up = false;
    expect((await get(`${node.url}/ready`)).status).toBe(503);
    expect((await get(`${node.url}/healthz`)).body).toBe("app 404");
  });

  it("/readyz answers 503 once shutdown started, while /healthz stays 200", async () => {
    const node = await startNode({ health: true });
    nodes.push(node);
    expect((await get(`${node.url}/readyz`)).status).toBe(200);
    const done = node.io.shutdown({ drainMs: 300, timeoutMs: 3000 });
    expect(await get(`${node.url}/readyz`)).toMatchObject({ status: 503, body: "not ready\n" });
    expect((await get(`${node.url}/healthz`)).status).toBe(200);
    // New handshakes are refused during the drain.
    const handshake = await get(`${node.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(400);
    expect(await done).toBe(true);
  });
});
