// The registry entry of the WebSocket transport: served by an HTTP Upgrade, the end of every
// upgrade path. Without a `wsEngine` option, on the built-in engine (websocket-native/), which
// hands connections negotiating permessage-deflate to `ws`; with one, on that server class (`ws`'s
// WebSocketServer, eiows, a wrapper).
import { WebSocketServer } from "ws";
import type { TransportEngine, UpgradeTransportKind, UpgradeTransportOpener } from "./kind.js";
import { EngineWebSocket, WebSocketTransport } from "./websocket.js";
import { nativeWebSocketOpener } from "./websocket-native/opener.js";
import type { WsEngineServer } from "./ws-engine.js";

/** `websocket`: the built-in engine, or one `wsEngine` server per engine. */
export const websocketKind: UpgradeTransportKind = {
  handlesUpgrade: true,
  upgradesTo: [],
  create(engine) {
    if (engine.options.wsEngine === undefined) {
      return nativeWebSocketOpener(engine, () => wsServerOpener(engine));
    }
    return wsServerOpener(engine);
  },
};

/** Each socket accepted by the engine's WebSocket server class gets its transport. */
function wsServerOpener(engine: TransportEngine): UpgradeTransportOpener {
  const server = createWsServer(engine);
  server.on?.("headers", (lines, req) => {
    lines.push(...engine.upgradeHeaders(req));
  });
  const perMessageDeflate = engine.options.perMessageDeflate !== false;
  return (req, socket, head, query, onOpen) => {
    const options = { supportsBinary: !query.has("b64"), perMessageDeflate };
    server.handleUpgrade(req, socket, head, (ws) => {
      onOpen(new WebSocketTransport(ws, socket, options));
    });
  };
}

function createWsServer(engine: TransportEngine): WsEngineServer {
  const { wsEngine, perMessageDeflate, maxHttpBufferSize } = engine.options;
  const options = {
    noServer: true,
    clientTracking: false,
    perMessageDeflate,
    maxPayload: maxHttpBufferSize,
  } as const;
  if (wsEngine !== undefined && wsEngine !== WebSocketServer) return new wsEngine(options);
  // `ws` (chosen, or serving permessage-deflate for the built-in engine): with the engine's socket
  // class, which answers pings itself without a closure per socket.
  return new WebSocketServer({ ...options, WebSocket: EngineWebSocket, autoPong: false });
}
