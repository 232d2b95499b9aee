// The interop peers' resolution: environment variable, then the stamped build; under CI a
// missing or stale peer is an error, elsewhere a reported skip.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PEER_SOURCES, resolvePeer, sourceHash } from "./peers.js";

describe("resolvePeer", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "peers-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("takes the peer's variable first", () => {
    const env = { SWITCHYARD_PEERS_DIR: dir, SWITCHYARD_PEER_GO: "/opt/go-peer", CI: "true" };
    expect(resolvePeer("zishang520-socket.io", env)).toMatchObject({
      command: "/opt/go-peer",
      source: "SWITCHYARD_PEER_GO",
    });
  });

  it("fails under CI and reports a skip elsewhere when nothing is installed", () => {
    const messages: string[] = [];
    const env = { SWITCHYARD_PEERS_DIR: dir };
    expect(resolvePeer("socket.io-client-java", env, (m) => messages.push(m))).toBeUndefined();
    expect(messages[0]).toContain("install-peers.sh");
    expect(() => resolvePeer("socket.io-client-java", { ...env, CI: "1" })).toThrow(
      `no build in ${join(dir, "java")}`,
    );
  });

  it("uses a build stamped with its sources' hash, and refuses a stale one", async () => {
    await mkdir(join(dir, "java"));
    const env = { SWITCHYARD_PEERS_DIR: dir, CI: "true" };
    await writeFile(join(dir, "java/source.sha256"), "0".repeat(64));
    expect(() => resolvePeer("socket.io-client-java", env)).toThrow("older than");
    await writeFile(join(dir, "java/source.sha256"), `${sourceHash(join(PEER_SOURCES, "java"))}\n`);
    expect(resolvePeer("socket.io-client-java", env)?.args).toContain("switchyard.interop.Peer");
  });

  it("hashes sources as `sha256sum` lines sorted by path, like install-peers.sh", async () => {
    await writeFile(join(dir, "b"), "2");
    await writeFile(join(dir, "a"), "1");
    // (cd dir && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
    expect(sourceHash(dir)).toBe(
      "d831d36c9c05c14ee37b83949d249f84b1634b706a4badafd40a9b0f37a9f6b5",
    );
  });
});
