import { describe, expect, it } from "vitest";
import {
  checkPrefix,
  encodeToken,
  historyNames,
  historySubjectFor,
  subjectFor,
} from "./subjects.js";

/** A token is safe when it is one non-empty token of the base64url alphabet. */
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

describe("subject names", () => {
  it("gives each namespace an all-nodes subject, one subject per node and one per room", () => {
    expect(subjectFor("socket.io", "/", { kind: "all" })).toBe("socket.io.bLw.a");
    expect(subjectFor("app", "/chat", { kind: "node", uid: "0123456789abcdef" })).toBe(
      "app.bL2NoYXQ.n.p0123456789abcdef",
    );
    expect(subjectFor("app", "/", { kind: "room", room: "lobby" })).toBe("app.bLw.r.plobby");
  });

  it("keeps a room name with dots in one token (no extra subject levels)", () => {
    const subject = subjectFor("app", "/", { kind: "room", room: "a.b.c" });
    expect(subject.split(".")).toHaveLength(4);
    expect(encodeToken("a.b.c")).toMatch(SAFE_TOKEN);
  });

  it("never lets a '*' room become a wildcard token", () => {
    const token = encodeToken("*");
    expect(token).not.toContain("*");
    expect(token).toMatch(SAFE_TOKEN);
  });

  it("never lets a '>' room become a tail wildcard", () => {
    const token = encodeToken(">");
    expect(token).not.toContain(">");
    expect(subjectFor("app", "/", { kind: "room", room: ">" }).endsWith(">")).toBe(false);
  });

  it("encodes spaces, tabs and newlines (whitespace would break the protocol line)", () => {
    for (const room of ["a b", "a\tb", "a\r\nSUB x 1"]) {
      expect(encodeToken(room)).toMatch(SAFE_TOKEN);
    }
  });

  it("gives the empty name a non-empty token of its own", () => {
    expect(encodeToken("")).toBe("b");
    expect(encodeToken("")).not.toBe(encodeToken("b"));
  });

  it("hashes very long names to a bounded token, distinct per name", () => {
    const long = "x".repeat(10_000);
    const token = encodeToken(long);
    expect(token.startsWith("h")).toBe(true);
    expect(token.length).toBeLessThanOrEqual(96);
    expect(token).toMatch(SAFE_TOKEN);
    expect(encodeToken(`${long}y`)).not.toBe(token);
    expect(encodeToken("é".repeat(200))).toMatch(/^h[A-Za-z0-9_-]{43}$/);
  });

  it("maps distinct names to distinct tokens (plain, encoded and unicode forms never meet)", () => {
    const names = [
      "a",
      "pa",
      "ba",
      "ha",
      "a.",
      "a b",
      "ä",
      "",
      "-",
      "_",
      "Lw",
      "/",
      "x".repeat(64),
    ];
    const tokens = names.map(encodeToken);
    expect(new Set(tokens).size).toBe(names.length);
    for (const token of tokens) expect(token).toMatch(SAFE_TOKEN);
  });

  it("encodes a peer-supplied node id, so a hostile uid cannot target another subject", () => {
    const subject = subjectFor("app", "/", { kind: "node", uid: "x.>" });
    expect(subject.split(".")).toHaveLength(4);
    expect(subject).not.toContain(">");
  });

  it("accepts dotted prefixes and refuses wildcards, spaces and empty tokens", () => {
    expect(checkPrefix("socket.io")).toBe("socket.io");
    expect(checkPrefix("my-app.prod_1")).toBe("my-app.prod_1");
    for (const bad of ["", "a..b", ".a", "a.", "a.*", "a.>", "a b", "a\n"]) {
      expect(() => checkPrefix(bad)).toThrow(
        expect.objectContaining({ code: "SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT" }),
      );
    }
  });
});

describe("history names", () => {
  it("puts a target's history under `{prefix}.h.`, republished to its live subject", () => {
    const targets = [
      { kind: "all" as const },
      { kind: "room" as const, room: "a.b" },
      { kind: "node" as const, uid: "0123456789abcdef" },
    ];
    for (const prefix of ["socket.io", "app"]) {
      const { subjects, republish } = historyNames(prefix);
      for (const target of targets) {
        const history = historySubjectFor(prefix, "/chat", target);
        const live = subjectFor(prefix, "/chat", target);
        expect(history).toBe(`${prefix}.h.${live.slice(prefix.length + 1)}`);
        // The stream holds it (`{prefix}.h.*.>`), and RePublish maps it back ({{wildcard(1)}}).
        expect(subjects).toEqual([`${prefix}.h.*.>`]);
        const nsp = history.split(".")[prefix.split(".").length + 1];
        expect(republish.dest.replace("{{wildcard(1)}}", nsp ?? "")).toBe(`${prefix}.${nsp}.>`);
        expect(live.startsWith(`${prefix}.${nsp}.`)).toBe(true);
      }
    }
  });

  it("never puts a live subject under the stream's subjects (no RePublish cycle)", () => {
    for (const nsp of ["/", "h", "/h", "", "a.b"]) {
      expect(subjectFor("app", nsp, { kind: "all" }).startsWith("app.h.")).toBe(false);
    }
  });

  it("names one stream and one bucket per prefix, two prefixes never the same", () => {
    expect(historyNames("socket.io")).toMatchObject({
      stream: "SY_socket_io_history",
      bucket: "SY_socket_io_sessions",
    });
    const prefixes = ["a.b", "a_b", "a-b", "a__b", "a._b", "a_.b", "ab", "_YS5i"];
    const streams = prefixes.map((prefix) => historyNames(prefix).stream);
    expect(new Set(streams).size).toBe(prefixes.length);
    // Stream and bucket names: no dots, wildcards, spaces or path separators.
    for (const prefix of prefixes) {
      const { stream, bucket } = historyNames(prefix);
      expect(stream).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(bucket).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });
});
