// WebSocket (RFC 6455) framing shared by the server's and the Node client's receivers: public
// names of websocket/, wired into the package index by hand.

export { isValidCloseCode, readCloseStatus } from "./close-frame.js";
export type { FrameFault, FrameFaultReason } from "./fault.js";
export {
  checkFrameStart,
  frameHeaderSize,
  frameLengthEnd,
  isFrameMasked,
  readFramePayloadLength,
  WebSocketOpcode,
} from "./frame-header.js";
