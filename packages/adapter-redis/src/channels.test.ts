import { describe, expect, it } from "vitest";
import { channelFor } from "./channels.js";

describe("channel names", () => {
  it("gives each namespace a main channel, one channel per node and one per room", () => {
    expect(channelFor("socket.io", "/", { kind: "all" })).toBe("socket.io#%2F#");
    expect(channelFor("socket.io", "/chat", { kind: "node", uid: "0123456789abcdef" })).toBe(
      "socket.io#%2Fchat#n#0123456789abcdef#",
    );
    expect(channelFor("socket.io", "/", { kind: "room", room: "lobby" })).toBe(
      "socket.io#%2F#r#lobby#",
    );
  });

  it("encodes room names so that no room can forge another channel or a hash tag", () => {
    const forged = channelFor("k", "/", { kind: "room", room: "x#n#0123456789abcdef" });
    expect(forged).toBe("k#%2F#r#x%23n%230123456789abcdef#");
    expect(channelFor("k", "/", { kind: "room", room: "{slot}" })).toBe("k#%2F#r#%7Bslot%7D#");
    const names = ["a#", "a%23", "a", "#a", "ä", "a b"].map((room) =>
      channelFor("k", "/", { kind: "room", room }),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
