// The built-in WebSocket engine (the default when no `wsEngine` is given): the handshake on the
// HTTP server's `upgrade`, then a NativeWebSocketTransport on the socket. A client offering
// permessage-deflate to an engine whose `perMessageDeflate` option is on goes to `fallback`
// (the `ws` path), which implements the extension.
import type { TransportEngine, UpgradeTransportOpener } from "../kind.js";
import {
  checkHandshake,
  offersPerMessageDeflate,
  refuseHandshake,
  switchingProtocols,
} from "./handshake.js";
import { NativeWebSocketTransport } from "./transport.js";

/** The built-in engine's opener; `fallback()` builds the `ws` opener on first need. */
export function nativeWebSocketOpener(
  engine: TransportEngine,
  fallback: () => UpgradeTransportOpener,
): UpgradeTransportOpener {
  const deflate = engine.options.perMessageDeflate !== false;
  const maxPayload = engine.options.maxHttpBufferSize;
  const maxFragments = engine.options.maxWebSocketFragments;
  let wsOpener: UpgradeTransportOpener | undefined;
  return (req, socket, head, query, onOpen) => {
    if (deflate && offersPerMessageDeflate(req)) {
      wsOpener ??= fallback();
      wsOpener(req, socket, head, query, onOpen);
      return;
    }
    const checked = checkHandshake(req);
    if ("status" in checked) {
      refuseHandshake(socket, checked);
      return;
    }
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.write(switchingProtocols(checked, engine.upgradeHeaders(req)));
    const options = { supportsBinary: !query.has("b64"), maxPayload, maxFragments };
    onOpen(new NativeWebSocketTransport(socket, head, options));
  };
}
