// Client side of the polling → WebSocket upgrade (docs/protocol.md §1.6): open the new transport,
// send `2probe`, expect `3probe`, pause polling, send `5`, switch. Any failure leaves the
// connection on polling and emits `upgradeError`.
import type { EnginePacket } from "@switchyard/protocol";
import { ClientError } from "../errors.js";
import type { EngineSocket } from "./client.js";
import type { TransportName } from "./options.js";
import type { Transport } from "./transport.js";

function probeError(name: string, detail?: unknown): ClientError {
  const err = new ClientError(
    "SY_ERR_CLIENT_PROBE_FAILED",
    `probe error${detail === undefined ? "" : `: ${detail}`}`,
  );
  (err as ClientError & { transport?: string }).transport = name;
  return err;
}

/** Probes one advertised upgrade and switches to it on success. */
export function probeUpgrade(
  engine: EngineSocket,
  name: TransportName,
  rememberWebsocket: (success: boolean) => void,
): void {
  const probe = engine.createTransport(name);
  let failed = false;
  rememberWebsocket(false);

  const cleanup = (): void => {
    probe.off("open", onTransportOpen);
    probe.off("error", onError);
    probe.off("close", onTransportClose);
    engine.off("close", onEngineClose);
    engine.off("upgrading", onUpgrading);
  };

  const freeze = (): void => {
    if (failed) return;
    failed = true;
    cleanup();
    probe.close();
  };

  const onError = (err: unknown): void => {
    const error = probeError(name, err instanceof Error ? err.message : err);
    freeze();
    engine.emitReserved("upgradeError", error);
  };
  const onTransportClose = (): void => onError("transport closed");
  const onEngineClose = (): void => onError("socket closed");
  const onUpgrading = (to: Transport): void => {
    if (to.name !== probe.name) freeze();
  };

  const onTransportOpen = (): void => {
    if (failed) return;
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
        engine.upgrading = false;
        engine.flush();
      });
    });
  };

  probe.once("open", onTransportOpen);
  probe.once("error", onError);
  probe.once("close", onTransportClose);
  engine.once("close", onEngineClose);
  engine.once("upgrading", onUpgrading);
  probe.open();
}
