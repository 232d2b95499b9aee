// nodePollRequest: the fetch subset the polling transport uses, over node:http(s), against
// loopback servers: bodies and headers, keep-alive, the cookie jar, non-2xx answers as fetch
// Responses, abort, and the TLS options on https.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CookieJar } from "../../packages/client/src/engine/cookie-jar.js";
import { nodePollRequest } from "../../packages/client/src/node/poll-request.js";
import type { PollInit } from "../../packages/client/src/platform.js";
import { CERT, KEY } from "./test-certificate.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Seen {
  method: string | undefined;
  headers: IncomingMessage["headers"];
  body: string;
  remotePort: number | undefined;
}

let server: Server | undefined;

afterEach(async () => {
  const current = server;
  server = undefined;
  if (current === undefined) return;
  current.closeAllConnections();
  await new Promise((resolve) => current.close(resolve));
});

/** Starts a loopback server calling `handler` with the whole request body; returns its URL. */
async function serve(handler: Handler, secure = false): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({
        method: req.method,
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort,
      });
      handler(req, res, body);
    });
  };
  const created = secure
    ? createHttpsServer({ key: KEY, cert: CERT }, listener)
    : createHttpServer(listener);
  server = created;
  await new Promise<void>((resolve) => created.listen(0, "127.0.0.1", resolve));
  const { port } = created.address() as AddressInfo;
  return { url: `${secure ? "https" : "http"}://127.0.0.1:${port}/socket.io/?EIO=4`, seen };
}

function init(method: "GET" | "POST", body: string | null = null, headers = {}): PollInit {
  return { method, headers: { ...headers }, body, signal: new AbortController().signal };
}

const reply: Handler = (_req, res) =>
  res.writeHead(200, { "content-type": "text/plain" }).end("4hé");

describe("nodePollRequest", () => {
  it("GETs text over a kept-alive connection", async () => {
    const { url, seen } = await serve(reply);
    for (let i = 0; i < 2; i++) {
      const response = await nodePollRequest(url, init("GET"), {});
      expect(response.ok).toBe(true);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("4hé");
    }
    expect(seen.map((s) => s.method)).toEqual(["GET", "GET"]);
    expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort);
    expect(seen[0]?.headers["content-type"]).toBeUndefined();
  });

  it("POSTs a text body labelled as fetch labels it, with the caller's headers", async () => {
    const { url, seen } = await serve(reply);
    await nodePollRequest(url, init("POST", "4é\x1e2probe", { "x-test": "yes" }), {});
    expect(seen[0]?.body).toBe("4é\x1e2probe");
    expect(seen[0]?.headers["content-type"]).toBe("text/plain;charset=UTF-8");
    expect(seen[0]?.headers["content-length"]).toBe(String(Buffer.byteLength("4é\x1e2probe")));
    expect(seen[0]?.headers["x-test"]).toBe("yes");
    await nodePollRequest(url, init("POST", "4x", { "Content-Type": "application/custom" }), {});
    expect(seen[1]?.headers["content-type"]).toBe("application/custom");
  });

  it("sends the jar's cookies and stores the server's", async () => {
    const { url, seen } = await serve((_req, res) =>
      res.writeHead(200, { "set-cookie": ["io=abc; Path=/", "lb=n1"] }).end("ok"),
    );
    const jar = new CookieJar();
    await nodePollRequest(url, init("GET"), {}, jar);
    await nodePollRequest(url, init("GET"), {}, jar);
    expect(seen[0]?.headers.cookie).toBeUndefined();
    expect(seen[1]?.headers.cookie).toBe("io=abc; lb=n1");
  });

  it("resolves a non-2xx answer as a fetch Response", async () => {
    const { url } = await serve((_req, res) =>
      res.writeHead(413, "Payload Too Large", { "x-why": "size" }).end("too big"),
    );
    const response = await nodePollRequest(url, init("POST", "x"), {});
    expect(response).toBeInstanceOf(Response);
    expect(response.ok).toBe(false);
    expect(response.status).toBe(413);
    expect((response as Response).statusText).toBe("Payload Too Large");
    expect((response as Response).headers.get("x-why")).toBe("size");
    expect(await response.text()).toBe("too big");
  });

  it("rejects with the signal's reason when aborted, and drops the connection", async () => {
    let closed: Promise<void> | undefined;
    const { url } = await serve((req) => {
      closed = new Promise((resolve) => req.socket.once("close", () => resolve()));
    });
    const controller = new AbortController();
    const pending = nodePollRequest(url, { ...init("GET"), signal: controller.signal }, {});
    await expect.poll(() => closed !== undefined).toBe(true);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await closed;
  });

  it("rejects at once on an aborted signal, and on a refused connection", async () => {
    const controller = new AbortController();
    controller.abort();
    const { url } = await serve(reply);
    await expect(
      nodePollRequest(url, { ...init("GET"), signal: controller.signal }, {}),
    ).rejects.toMatchObject({ name: "AbortError" });
    const current = server;
    server = undefined;
    await new Promise((resolve) => current?.close(resolve));
    await expect(nodePollRequest(url, init("GET"), { agent: false })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });

  it("applies the TLS options to https requests", async () => {
    const { url } = await serve(reply, true);
    await expect(nodePollRequest(url, init("GET"), {})).rejects.toMatchObject({
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    const trusted = await nodePollRequest(url, init("GET"), { ca: CERT });
    expect(await trusted.text()).toBe("4hé");
    const unchecked = await nodePollRequest(url, init("GET"), { rejectUnauthorized: false });
    expect(unchecked.status).toBe(200);
  });
});
