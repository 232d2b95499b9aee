// A raw Engine.IO v4 WebSocket peer for wire-exact tests: sends hand-written Socket.IO frames
// (with the EIO `4` prefix) and reads the server's frames in order.
import WebSocket from "ws";

export interface RawPeer {
  ws: WebSocket;
  /** The Engine.IO sid from the open packet. */
  sid: string;
  /** The next frame from the server (text as string, binary as Buffer); answers pings itself. */
  next(timeoutMs?: number): Promise<string | Buffer>;
  send(frame: string | Buffer): void;
  /** Resolves with the close code once the server closes the WebSocket. */
  closed(timeoutMs?: number): Promise<number>;
  close(): void;
  /** Stops (or resumes) answering the server's pings. */
  answerPings(answer: boolean): void;
}

/** Opens a raw WebSocket session at `/socket.io/` and consumes the open packet. */
export async function openRawPeer(port: number, query = "", answerPings = true): Promise<RawPeer> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${query}`);
  let answering = answerPings;
  const frames: Array<string | Buffer> = [];
  const waiters: Array<(frame: string | Buffer) => void> = [];
  let closeCode: number | undefined;
  const closeWaiters: Array<(code: number) => void> = [];
  ws.on("message", (data, isBinary) => {
    const frame = isBinary ? (data as Buffer) : data.toString();
    if (frame === "2") {
      if (answering) ws.send("3");
      return;
    }
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  ws.on("close", (code) => {
    closeCode = code;
    for (const w of closeWaiters.splice(0)) w(code);
  });
  const next = (timeoutMs = 2000): Promise<string | Buffer> => {
    const queued = frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (frame: string | Buffer): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      // A timed-out waiter is removed, so that it cannot swallow a later frame.
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error("no frame from server"));
      }, timeoutMs);
      waiters.push(waiter);
    });
  };
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const open = String(await next());
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  return {
    ws,
    sid,
    next,
    send: (frame) => ws.send(frame),
    closed: (timeoutMs = 2000) => {
      if (closeCode !== undefined) return Promise.resolve(closeCode);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("server did not close")), timeoutMs);
        closeWaiters.push((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
    close: () => ws.close(),
    answerPings: (answer) => {
      answering = answer;
    },
  };
}

/** Connects the raw peer to `nsp` and returns the Socket.IO session id from the CONNECT reply. */
export async function rawConnect(peer: RawPeer, nsp = "/"): Promise<string> {
  peer.send(nsp === "/" ? "40" : `40${nsp},`);
  const reply = String(await peer.next());
  const prefix = nsp === "/" ? "40" : `40${nsp},`;
  if (!reply.startsWith(prefix)) throw new Error(`unexpected CONNECT reply ${reply}`);
  return (JSON.parse(reply.slice(prefix.length)) as { sid: string }).sid;
}
