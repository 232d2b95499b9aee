// serveClient: the client bundles at <path>/socket.io.min.js etc., with ETag and compression.
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { Server, type ServerOptions } from "@switchyard/server";
import { Server as OfficialServer } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import { findClientPackage } from "../../packages/server/src/serve-client.js";

const servers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(serveClient: boolean, opts: ServerOptions = {}): Promise<string> {
  return listen((http) => new Server(http, { serveClient, ...opts }));
}

/** The official socket.io 4.8 serving its own client bundles, as the reference. */
async function startOfficial(opts: ServerOptions = {}): Promise<string> {
  return listen(
    (http) => new OfficialServer(http, opts as ConstructorParameters<typeof OfficialServer>[1]),
  );
}

async function listen(attach: (http: ReturnType<typeof createServer>) => { close(): unknown }) {
  const http = createServer();
  servers.push(attach(http));
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** One raw request (fetch would decompress and hide Content-Encoding). */
function rawGet(
  url: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
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

  it("picks the Content-Encoding the official server picks, q-values and order included", async () => {
    const ours = await start(true);
    const official = await startOfficial();
    const headers = [
      "gzip, deflate, br",
      "br, gzip",
      "gzip;q=1, br;q=0.5",
      "deflate, gzip",
      "*",
      "br;q=0, *",
      "*, gzip;q=0.5",
      "identity",
      "gzip;q=0",
      "gzip;q=0.5, identity;q=1",
      "",
    ];
    for (const header of headers) {
      const asked = { "accept-encoding": header };
      const mine = await rawGet(`${ours}/socket.io/socket.io.min.js`, asked);
      const theirs = await rawGet(`${official}/socket.io/socket.io.min.js`, asked);
      expect([header, mine.status, mine.headers["content-encoding"]]).toEqual([
        header,
        theirs.status,
        theirs.headers["content-encoding"],
      ]);
    }
  });

  it("applies the cors option to the files and their preflight, as the official server", async () => {
    const cors = { origin: "https://app.example", credentials: true };
    const ours = await start(true, { cors });
    const official = await startOfficial({ cors });
    const corsHeaders = (h: IncomingHttpHeaders) =>
      Object.fromEntries(Object.entries(h).filter(([name]) => name.startsWith("access-control-")));
    const origin = { origin: "https://app.example" };
    const preflight = { ...origin, "access-control-request-method": "GET" };
    for (const [method, headers] of [
      ["GET", origin],
      ["HEAD", origin],
      ["OPTIONS", preflight],
    ] as const) {
      const mine = await rawGet(`${ours}/socket.io/socket.io.min.js`, headers, method);
      const theirs = await rawGet(`${official}/socket.io/socket.io.min.js`, headers, method);
      expect(mine.status).toBe(theirs.status);
      expect(corsHeaders(mine.headers)).toEqual(corsHeaders(theirs.headers));
      expect(corsHeaders(mine.headers)["access-control-allow-origin"]).toBe("https://app.example");
    }
    // Without the option, no CORS header (as officially).
    const plain = await rawGet(`${await start(true)}/socket.io/socket.io.min.js`, origin);
    expect(corsHeaders(plain.headers)).toEqual({});
  });

  it("answers the msgpack bundle with a 404 that says why (no msgpack parser in the client)", async () => {
    const url = await start(true);
    for (const file of ["socket.io.msgpack.min.js", "socket.io.msgpack.min.js.map"]) {
      const res = await fetch(`${url}/socket.io/${file}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("@switchyard/client has no msgpack parser");
    }
  });

  it("does not serve the files with serveClient: false", async () => {
    const url = await start(false);
    const res = await fetch(`${url}/socket.io/socket.io.min.js`);
    expect(res.status).not.toBe(200);
  });
});
