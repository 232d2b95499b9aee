// Node variant of platform.ts: WebSockets come from the global WebSocket when the runtime has one
// and no Node-only option is needed, else from the `ws` package (loaded on first use, so it never
// reaches browser bundles). Polling requests go over node:http(s) (node-poll-request.ts). No page
// to watch.
import { CookieJar } from "./engine/cookie-jar.js";
import { nodePollRequest, TLS_OPTIONS } from "./node-poll-request.js";
import { NodeWebSocket, type WsSocket } from "./node-websocket.js";
import type { Platform, WebSocketLike } from "./platform.js";

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
    return new NodeWebSocket(new Ws(url, protocols, wsOptions));
  },
  request: nodePollRequest,
  watchPage() {
    return () => {};
  },
  createCookieJar: () => new CookieJar(),
};
