// serveClient: the client bundles at <path>/socket.io.min.js etc., with ETag and compression.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { Server } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { findClientPackage } from "../../packages/server/src/serve-client.js";

let io: Server | undefined;
afterEach(async () => {
  await io?.close();
  io = undefined;
});

async function start(serveClient: boolean): Promise<string> {
  const http = createServer();
  io = new Server(http, { serveClient });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

const client = findClientPackage();

describe.skipIf(client === undefined && !process.env["CI"])("serveClient", () => {
  it("serves socket.io.min.js with the official headers", async () => {
    const url = await start(true);
    const res = await fetch(`${url}/socket.io/socket.io.min.js`, {
      headers: { "accept-encoding": "identity" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=0");
    expect(res.headers.get("etag")).toBe(`"${client?.version}"`);
    expect((await res.text()).length).toBeGreaterThan(1000);
  });

  it("answers 304 to a matching If-None-Match, strong or weak", async () => {
    const url = await start(true);
    for (const tag of [`"${client?.version}"`, `W/"${client?.version}"`]) {
      const res = await fetch(`${url}/socket.io/socket.io.esm.min.js`, {
        headers: { "if-none-match": tag },
      });
      expect(res.status).toBe(304);
    }
  });

  it("serves maps as JSON and compresses with gzip when asked", async () => {
    const url = await start(true);
    const { request } = await import("node:http");
    const body = await new Promise<{ headers: Record<string, unknown>; data: Buffer }>(
      (resolve, reject) => {
        const req = request(
          `${url}/socket.io/socket.io.min.js.map`,
          { headers: { "accept-encoding": "gzip" } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ headers: res.headers, data: Buffer.concat(chunks) }));
          },
        );
        req.on("error", reject);
        req.end();
      },
    );
    expect(body.headers["content-encoding"]).toBe("gzip");
    expect(body.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(() => JSON.parse(gunzipSync(body.data).toString())).not.toThrow();
  });

  it("does not serve the files with serveClient: false", async () => {
    const url = await start(false);
    const res = await fetch(`${url}/socket.io/socket.io.min.js`);
    expect(res.status).not.toBe(200);
  });
});
