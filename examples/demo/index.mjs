// Placeholder for the demo that `npm start` runs. The real demo (a sticky primary with workers
// sharing rooms through the IPC adapter) lands with its own issue; until then this prints what
// the workspace already offers and exits 0.
import { ENGINE_PROTOCOL_VERSION, SOCKET_PROTOCOL_VERSION } from "@switchyard/protocol";

console.log(
  `switchyard: protocol codecs ready (Engine.IO v${ENGINE_PROTOCOL_VERSION}, Socket.IO v${SOCKET_PROTOCOL_VERSION}).`,
);
console.log("The demo cluster lands with the demo issue; run `npm test` to see what works today.");
