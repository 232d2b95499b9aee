// Client side of the polling → WebSocket upgrade (protocol.md §1.6): open the new transport,
// send `2probe`, expect `3probe`, pause polling, send `5`, switch. Any failure leaves the
// connection on polling and emits `upgradeError`.
import type { EnginePacket } from "@switchyard/protocol";
import { ClientError } from "../errors.js";
import type { EngineSocket } from "./client.js";
import type { TransportName } from "./options.js";
import type { Transport } from "./transport.js";

function probeError(name: string, detail?: unknown): ClientError {
  const message = detail === undefined ? "probe error" : `probe error: ${String(detail)}`;
  const err = new ClientError("SY_ERR_CLIENT_PROBE_FAILED", message);
  (err as ClientError & { transport?: string }).transport = name;
  return err;
}

/** Probes one advertised upgrade and switches to it on success. */
export function probeUpgrade(
  engine: EngineSocket,
  name: TransportName,
  rememberWebsocket: (success: boolean) => void,
): void {
  let transport: Transport | undefined = engine.createTransport(name);
  let failed = false;
  rememberWebsocket(false);

  const cleanup = (): void => {
    transport?.off("open", onTransportOpen);
    transport?.off("error", onError);
    transport?.off("close", onTransportClose);
    engine.off("close", onEngineClose);
    engine.off("upgrading", onUpgrading);
  };

  const freeze = (): void => {
    if (failed) return;
    failed = true;
    cleanup();
    transport?.close();
    transport = undefined;
  };

  const onError = (err: unknown): void => {
    const error = probeError(name, err instanceof Error ? err.message : err);
    freeze();
    engine.emitReserved("upgradeError", error);
  };
  const onTransportClose = (): void => onError("transport closed");
  const onEngineClose = (): void => onError("socket closed");
  const onUpgrading = (to: Transport): void => {
    if (transport !== undefined && to.name !== transport.name) freeze();
  };

  const onTransportOpen = (): void => {
    if (failed || transport === undefined) return;
    const probe = transport;
    probe.send([{ type: "ping", data: "probe" }]);
    probe.once("packet", (packet: EnginePacket) => {
      if (failed) return;
      if (packet.type !== "pong" || packet.data !== "probe") {
        engine.emitReserved("upgradeError", probeError(name));
        return;
      }
      engine.upgrading = true;
      engine.emitReserved("upgrading", probe);
      rememberWebsocket(probe.name === "websocket");
      engine.transport.pause(() => {
        if (failed || engine.readyState === "closed") return;
        cleanup();
        engine.setTransport(probe);
        probe.send([{ type: "upgrade" }]);
        engine.emitReserved("upgrade", probe);
        transport = undefined;
        engine.upgrading = false;
        engine.flush();
      });
    });
  };

  transport.once("open", onTransportOpen);
  transport.once("error", onError);
  transport.once("close", onTransportClose);
  engine.once("close", onEngineClose);
  engine.once("upgrading", onUpgrading);
  transport.open();
}
