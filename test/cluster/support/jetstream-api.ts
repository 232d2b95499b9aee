// The JetStream API as the tests use it to look at (and break) what the NATS adapter made: plain
// requests on a core connection, so that the tests depend on the server, not on the adapter's
// JetStream client.
import type { NatsConnection } from "@nats-io/transport-node";

/** The parts of a stream's info the tests read. */
export interface StreamInfoReply {
  created: string;
  config: {
    name: string;
    subjects: string[];
    storage: string;
    num_replicas: number;
    max_age: number;
    max_msgs: number;
    max_bytes: number;
    max_msgs_per_subject: number;
    discard: string;
    deny_delete?: boolean;
    deny_purge?: boolean;
    republish?: { src: string; dest: string; headers_only?: boolean };
  };
  state: { messages: number; first_seq: number; last_seq: number };
}

interface ApiReply {
  error?: { code: number; err_code: number; description: string };
}

/** Sends one JetStream API request and returns its JSON reply. */
export async function jsApi<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown = {},
): Promise<T & ApiReply> {
  const reply = await nc.request(`$JS.API.${subject}`, JSON.stringify(body), { timeout: 5000 });
  return reply.json<T & ApiReply>();
}

/** A stream's info, or undefined when there is no such stream. */
export async function streamInfo(
  nc: NatsConnection,
  name: string,
): Promise<StreamInfoReply | undefined> {
  const reply = await jsApi<StreamInfoReply>(nc, `STREAM.INFO.${name}`);
  if (reply.error?.err_code === 10059) return undefined;
  if (reply.error !== undefined) throw new Error(`STREAM.INFO ${name}: ${reply.error.description}`);
  return reply;
}

/** The names of the streams that hold `subject`. */
export async function streamNames(nc: NatsConnection, subject: string): Promise<string[]> {
  const reply = await jsApi<{ streams: string[] | null }>(nc, "STREAM.NAMES", { subject });
  return reply.streams ?? [];
}

/** Deletes a stream (as an operator would); throws when the server refuses. */
export async function deleteStream(nc: NatsConnection, name: string): Promise<void> {
  const reply = await jsApi<{ success: boolean }>(nc, `STREAM.DELETE.${name}`);
  if (reply.success !== true) throw new Error(`STREAM.DELETE ${name}: ${reply.error?.description}`);
}

/** The last message stored on `subject` (base64 data), or undefined. */
export async function lastMessage(
  nc: NatsConnection,
  stream: string,
  subject: string,
): Promise<{ seq: number; data: Uint8Array } | undefined> {
  const reply = await jsApi<{ message?: { seq: number; data?: string } }>(
    nc,
    `STREAM.MSG.GET.${stream}`,
    { last_by_subj: subject },
  );
  const message = reply.message;
  if (message === undefined) return undefined;
  return { seq: message.seq, data: Buffer.from(message.data ?? "", "base64") };
}

/** Whether a server version (`2.9.10`) is at least `major.minor`. */
export function serverAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? "");
  if (match === null) return false;
  const have = [Number(match[1]), Number(match[2])] as const;
  return have[0] > major || (have[0] === major && have[1] >= minor);
}
