import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseQuery } from "../http/request-query.js";
import type { HandshakeError } from "./errors.js";
import { resolveEngineOptions } from "./options.js";
import { verifyRequest } from "./verify.js";

function fakeRequest(
  url: string,
  method = "GET",
  headers: Record<string, string> = {},
): IncomingMessage {
  return { url, method, headers } as unknown as IncomingMessage;
}

function verify(
  req: IncomingMessage,
  upgrade = false,
  sessions: Record<string, string> = {},
  options = resolveEngineOptions(),
): HandshakeError | undefined {
  let result: HandshakeError | undefined | "pending" = "pending";
  verifyRequest(
    req,
    parseQuery(req),
    upgrade,
    options,
    {
      transportOf: (sid) => (Object.hasOwn(sessions, sid) ? sessions[sid] : undefined),
    },
    (error) => {
      result = error;
    },
  );
  if (result === "pending") throw new Error("verification did not answer synchronously");
  return result;
}

describe("verifyRequest", () => {
  it("accepts a polling handshake", () => {
    expect(verify(fakeRequest("/engine.io/?EIO=4&transport=polling"))).toBeUndefined();
  });

  it("checks the transport before anything else", () => {
    const error = verify(fakeRequest("/engine.io/?EIO=4&transport=nope&sid=x", "PUT"));
    expect(error?.engineCode).toBe(0);
  });

  it("rejects an Origin holding characters not allowed in a header with INVALID_ORIGIN", () => {
    const error = verify(
      fakeRequest("/?EIO=4&transport=polling", "GET", { origin: "http://a\u0001" }),
    );
    expect(error?.engineCode).toBe(3);
    expect(error?.context["name"]).toBe("INVALID_ORIGIN");
  });

  it("checks the sid before the method", () => {
    expect(verify(fakeRequest("/?EIO=4&transport=polling&sid=gone", "PUT"))?.engineCode).toBe(1);
    expect(
      verify(fakeRequest("/?EIO=4&transport=polling&sid=s1", "PUT"), false, { s1: "polling" }),
    ).toBeUndefined();
  });

  it("reports TRANSPORT_MISMATCH for a non-upgrade request on another transport", () => {
    const error = verify(fakeRequest("/?EIO=4&transport=polling&sid=s1"), false, {
      s1: "websocket",
    });
    expect(error?.context).toMatchObject({
      name: "TRANSPORT_MISMATCH",
      previousTransport: "websocket",
    });
    expect(
      verify(fakeRequest("/?EIO=4&transport=websocket&sid=s1"), true, { s1: "polling" }),
    ).toBeUndefined();
  });

  it("maps errors to 400 except FORBIDDEN (403) and keeps custom messages", () => {
    const options = resolveEngineOptions({ allowRequest: (_req, cb) => cb("custom", false) });
    const error = verify(fakeRequest("/?EIO=4&transport=polling"), false, {}, options);
    expect(error?.status).toBe(403);
    expect(error?.clientMessage).toBe("custom");
    expect(error?.message).toBe("Forbidden");
    expect(error?.code).toBe("SY_ERR_ENGINE_FORBIDDEN");
  });

  it("treats an allowRequest that throws as FORBIDDEN", () => {
    const options = resolveEngineOptions({
      allowRequest: () => {
        throw new Error("bug");
      },
    });
    expect(verify(fakeRequest("/?EIO=4&transport=polling"), false, {}, options)?.engineCode).toBe(
      4,
    );
  });

  it("parses a malformed URL as an empty query", () => {
    expect([...parseQuery(fakeRequest("http://[bad")).keys()]).toEqual([]);
  });
});
