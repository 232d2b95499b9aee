// A DNS server for one test: answers A queries for the names it was given (NOERROR with no
// answer for their other types, as a real server would for a name without AAAA records) and
// NXDOMAIN for every other name, on a free UDP port of 127.0.0.1. Built on dns-packet.
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import packet from "dns-packet";

export interface DnsStub {
  port: number;
  /** `TYPE name` of every question received, in order. */
  queries: string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;

/** Serves `records` (name → IPv4 addresses) until closed. Malformed queries are ignored. */
export async function startDnsStub(records: Readonly<Record<string, readonly string[]>>) {
  const socket = createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (message, peer) => {
    let query: packet.Packet;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    queries.push(`${question.type} ${question.name}`);
    const addresses = records[question.name];
    const answers: packet.Answer[] =
      addresses !== undefined && question.type === "A"
        ? addresses.map((data) => ({ type: "A", name: question.name, ttl: 5, data }))
        : [];
    const flags =
      packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (addresses ? 0 : NXDOMAIN);
    const reply = packet.encode({
      id: query.id ?? 0,
      type: "response",
      flags,
      questions: query.questions ?? [],
      answers,
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const stub: DnsStub = {
    port: (socket.address() as AddressInfo).port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  return stub;
}
