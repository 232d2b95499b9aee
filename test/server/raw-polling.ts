// A raw Engine.IO v4 long-polling peer: hand-written payloads over GET/POST (loopback fetch).
import type { Socket } from "@switchyard/server";
import { expect } from "vitest";
import { type Harness, waitFor } from "./harness.js";

export interface PollingPeer {
  sid: string;
  /** POSTs a payload (packets joined by \x1e); resolves with the HTTP status. */
  post(...packets: string[]): Promise<number>;
  /** GETs the next payload and splits it into packets (pings answered automatically). */
  poll(): Promise<string[]>;
}

/** Opens a polling session at `/socket.io/` and consumes the open packet. */
export async function openPollingPeer(port: number): Promise<PollingPeer> {
  const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const url = `${base}&sid=${sid}`;
  /** Resolves with the status, or 0 when the server cut the request off. */
  const post = async (...packets: string[]): Promise<number> => {
    try {
      const res = await fetch(url, { method: "POST", body: packets.join("\x1e") });
      await res.text();
      return res.status;
    } catch {
      return 0;
    }
  };
  const poll = async (): Promise<string[]> => {
    for (;;) {
      const text = await (await fetch(url)).text();
      if (text.startsWith("{")) return [text];
      const packets = text.split("\x1e").filter((p) => p !== "2");
      if (text.split("\x1e").includes("2")) await post("3");
      if (packets.length > 0) return packets;
    }
  };
  return { sid, post, poll };
}

/** A raw polling session connected to `/`, with its server socket; no GET is left pending. */
export async function pollingSocket(
  harness: Harness,
): Promise<{ peer: PollingPeer; socket: Socket }> {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const peer = await openPollingPeer(harness.port);
  await peer.post("40");
  expect((await peer.poll())[0]).toMatch(/^40\{"sid"/);
  const [socket] = await connection;
  return { peer, socket };
}
