// Long-polling requests in Node over node:http / node:https with keep-alive agents, instead of
// the global fetch: undici's Request/Response/Headers objects and web streams cost more CPU per
// request than decoding the events it carries (engine.io-client's Node XHR is on node:http too,
// but opens a connection per request). This is the subset of fetch the polling transport uses:
// method, headers, a text body, abort through the signal (requestTimeout and close use it), and
// the cookies of the jar. A 2xx answer resolves once its body is read; any other status resolves
// with a real fetch Response, so transport errors carry the same context as with fetch.
import type { EngineOptions } from "../engine/options.js";
import type { CookieJarLike, PollInit, PollResponse } from "../platform.js";

/** Node TLS options, passed to https polling requests and to the `ws` handshake. */
export const TLS_OPTIONS = [
  "pfx",
  "key",
  "passphrase",
  "cert",
  "ca",
  "ciphers",
  "rejectUnauthorized",
] as const;

/** The type fetch gives a string body. */
const TEXT_PLAIN = "text/plain;charset=UTF-8";

/** The part of node:http's IncomingMessage used here. */
interface NodeResponse {
  readonly statusCode?: number | undefined;
  readonly statusMessage?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawHeaders: readonly string[];
  setEncoding(encoding: "utf8"): unknown;
  on(event: "data", fn: (chunk: string) => void): unknown;
  on(event: "end", fn: () => void): unknown;
  on(event: "error", fn: (err: unknown) => void): unknown;
}

/** The part of node:http's ClientRequest used here. */
interface NodeRequest {
  on(event: "error", fn: (err: unknown) => void): unknown;
  on(event: "socket", fn: (socket: { unref(): unknown }) => void): unknown;
  end(body?: string): unknown;
  destroy(): unknown;
}

/** The part of node:http and node:https used here. */
interface NodeHttpModule {
  Agent: new (options: { keepAlive: boolean }) => object;
  request(
    url: string,
    options: Record<string, unknown>,
    onResponse: (res: NodeResponse) => void,
  ): NodeRequest;
}

interface HttpStack {
  module: NodeHttpModule;
  /** The shared keep-alive agent, used unless the `agent` option is set. */
  agent: object;
}

const stacks: { http?: HttpStack; https?: HttpStack } = {};

/** node:http or node:https and its agent, loaded on first use (the client has no Node types). */
function httpStack(scheme: "http" | "https"): HttpStack {
  let stack = stacks[scheme];
  if (stack === undefined) {
    const { process } = globalThis as unknown as {
      process: { getBuiltinModule(id: string): unknown };
    };
    const module = process.getBuiltinModule(`node:${scheme}`) as NodeHttpModule;
    stack = { module, agent: new module.Agent({ keepAlive: true }) };
    stacks[scheme] = stack;
  }
  return stack;
}

/** A 2xx answer whose body has been read. */
class TextResponse implements PollResponse {
  readonly ok = true;
  readonly status: number;
  readonly #text: string;

  constructor(status: number, text: string) {
    this.status = status;
    this.#text = text;
  }

  text(): Promise<string> {
    return Promise.resolve(this.#text);
  }
}

/** A non-2xx answer as a fetch Response (rare: only transport errors read it). */
function failedResponse(res: NodeResponse, status: number, text: string): PollResponse {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    headers.append(raw[i] as string, raw[i + 1] as string);
  try {
    const init = { status, statusText: res.statusMessage ?? "", headers };
    return new Response(text === "" ? null : text, init);
  } catch {
    // A status fetch cannot represent (outside 200–599): keep the bare status.
    return { ok: false, status, text: () => Promise.resolve(text) };
  }
}

/** The node:http(s) request options of a polling request. */
function requestOptions(
  init: PollInit,
  opts: Readonly<EngineOptions>,
  jar: CookieJarLike | undefined,
  secure: boolean,
  agent: object,
): Record<string, unknown> {
  // The user's headers come last: a Content-Type of theirs replaces fetch's default.
  const headers =
    init.body === null ? init.headers : { "content-type": TEXT_PLAIN, ...init.headers };
  const cookie = jar?.header();
  if (cookie !== undefined) headers["cookie"] = cookie;
  const options: Record<string, unknown> = {
    method: init.method,
    headers,
    agent: opts.agent ?? agent,
  };
  if (secure) {
    for (const key of TLS_OPTIONS) if (opts[key] !== undefined) options[key] = opts[key];
  }
  return options;
}

/**
 * One polling request over node:http(s): the Node variant of `fetch(url, init)` for the
 * polling transport. `opts.agent` replaces the keep-alive agent (`false`: a connection per
 * request); the TLS options apply to https URLs.
 */
export function nodePollRequest(
  url: string,
  init: PollInit,
  opts: Readonly<EngineOptions>,
  jar?: CookieJarLike,
): Promise<PollResponse> {
  return new Promise((resolve, reject) => {
    const signal = init.signal;
    if (signal.aborted) throw signal.reason;
    const scheme = url.startsWith("https:") ? "https" : "http";
    const { module, agent } = httpStack(scheme);
    const options = requestOptions(init, opts, jar, scheme === "https", agent);
    const fail = (err: unknown): void => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    };
    const onAbort = (): void => {
      req.destroy();
      fail(signal.reason);
    };
    // Throws synchronously on an invalid URL or header value: the executor turns it into a
    // rejection, as fetch rejects.
    const req = module.request(url, options, (res) => {
      const setCookie = res.headers["set-cookie"];
      if (jar !== undefined && setCookie !== undefined) {
        jar.parse(typeof setCookie === "string" ? [setCookie] : setCookie);
      }
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("error", fail);
      res.on("end", () => {
        signal.removeEventListener("abort", onAbort);
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status <= 299
            ? new TextResponse(status, text)
            : failedResponse(res, status, text),
        );
      });
    });
    req.on("error", fail);
    // autoUnref: the request's connection alone does not keep Node running (the agent refs a
    // pooled socket again when it hands it to a request, and unrefs it when it is idle).
    if (opts.autoUnref === true) req.on("socket", (socket) => socket.unref());
    signal.addEventListener("abort", onAbort);
    req.end(init.body ?? undefined);
  });
}
