// Node variant of ../platform.ts. WebSockets come from the lean client (ws-client.ts: RFC 6455
// on node:http(s), measured cheaper per message than `ws`) unless an option needs the `ws`
// package (perMessageDeflate enabled; loaded on first use, so it never reaches browser bundles).
// Runtimes other than Node (Bun, Deno) keep the global WebSocket when no Node-only option is set.
// Polling requests go over node:http(s) (poll-request.ts). No page to watch.
import { CookieJar } from "../engine/cookie-jar.js";
import type { Platform, WebSocketLike } from "../platform.js";
import { nodePollRequest, TLS_OPTIONS } from "./poll-request.js";
import { NodeWebSocket, type WsSocket } from "./websocket.js";
import { hasBuiltins } from "./ws-builtins.js";
import { LeanWebSocket } from "./ws-client.js";

type WebSocketCtor<T = WebSocketLike> = new (
  url: string,
  protocols?: string | string[],
  options?: Record<string, unknown>,
) => T;

/** `ws` options passed through as they are. */
const WS_OPTIONS = ["agent", ...TLS_OPTIONS] as const;
/** Options the global WebSocket cannot honour. */
const NODE_ONLY = ["extraHeaders", "perMessageDeflate", ...WS_OPTIONS] as const;

// A variable specifier keeps bundlers and the browser type-check away from `ws`.
const WS_PACKAGE: string = "ws";
let wsCtor: Promise<WebSocketCtor<WsSocket>> | undefined;

function loadWs(): Promise<WebSocketCtor<WsSocket>> {
  wsCtor ??= import(WS_PACKAGE).then(
    (mod: { WebSocket?: WebSocketCtor<WsSocket>; default?: WebSocketCtor<WsSocket> }) => {
      const ctor = mod.WebSocket ?? mod.default;
      if (ctor === undefined) throw new Error("the `ws` package exports no WebSocket");
      return ctor;
    },
  );
  return wsCtor;
}

/** Node proper (not Bun or Deno, which also answer to the "node" export condition). */
function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } })
    .process?.versions;
  return (
    versions?.["node"] !== undefined &&
    versions["bun"] === undefined &&
    versions["deno"] === undefined &&
    hasBuiltins()
  );
}

/** Whether the lean client can serve this connection; else `ws` (or the global WebSocket). */
function leanFits(url: string, options: Readonly<Record<string, unknown>>): boolean {
  const deflate = options["perMessageDeflate"];
  return (
    (deflate === undefined || deflate === false) &&
    (url.startsWith("ws:") || url.startsWith("wss:")) &&
    isNode()
  );
}

function leanWebSocket(
  url: string,
  protocols: string | string[] | undefined,
  options: Readonly<Record<string, unknown>>,
): LeanWebSocket {
  const tls: Record<string, unknown> = {};
  for (const key of TLS_OPTIONS) if (options[key] !== undefined) tls[key] = options[key];
  return new LeanWebSocket(url, {
    headers: options["extraHeaders"] as Record<string, string> | undefined,
    protocols:
      protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols,
    agent: options["agent"],
    tls,
    unref: options["autoUnref"] === true,
  });
}

/** Node runtime hooks. */
export const nodePlatform: Platform = {
  async createWebSocket(url, protocols, engineOptions, jar) {
    const cookie = jar?.header();
    const options: Readonly<Record<string, unknown>> =
      cookie === undefined
        ? engineOptions
        : {
            ...engineOptions,
            extraHeaders: { ...(engineOptions["extraHeaders"] as object | undefined), cookie },
          };
    if (leanFits(url, options)) return leanWebSocket(url, protocols, options);
    const global = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    const needsWs = NODE_ONLY.some((key) => options[key] !== undefined);
    if (global !== undefined && !needsWs) return new global(url, protocols);
    const Ws = await loadWs();
    const wsOptions: Record<string, unknown> = {
      perMessageDeflate: options["perMessageDeflate"] ?? { threshold: 1024 },
    };
    if (options["extraHeaders"] !== undefined) wsOptions["headers"] = options["extraHeaders"];
    for (const key of WS_OPTIONS) {
      if (options[key] !== undefined) wsOptions[key] = options[key];
    }
    return new NodeWebSocket(new Ws(url, protocols, wsOptions), options["autoUnref"] === true);
  },
  request: nodePollRequest,
  watchPage() {
    return () => {};
  },
  createCookieJar: () => new CookieJar(),
};
