// Node variant of platform.ts: WebSockets come from the global WebSocket when the runtime has one
// and no Node-only option is needed, else from the `ws` package (loaded on first use, so it never
// reaches browser bundles). No page to watch.
import { CookieJar } from "./engine/cookie-jar.js";
import { NodeWebSocket, type WsSocket } from "./node-websocket.js";
import type { Platform, WebSocketLike } from "./platform.js";

type WebSocketCtor<T = WebSocketLike> = new (
  url: string,
  protocols?: string | string[],
  options?: Record<string, unknown>,
) => T;

const NODE_ONLY = [
  "extraHeaders",
  "agent",
  "pfx",
  "key",
  "passphrase",
  "cert",
  "ca",
  "ciphers",
  "rejectUnauthorized",
  "perMessageDeflate",
] as const;

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
    for (const key of NODE_ONLY.slice(1, -1)) {
      if (options[key] !== undefined) wsOptions[key] = options[key];
    }
    return new NodeWebSocket(new Ws(url, protocols, wsOptions));
  },
  async request(url, init, jar) {
    const cookie = jar?.header();
    if (cookie !== undefined) init.headers["cookie"] = cookie;
    const response = await fetch(url, init);
    jar?.parse(response.headers.getSetCookie());
    return response;
  },
  watchPage() {
    return () => {};
  },
  createCookieJar: () => new CookieJar(),
};
