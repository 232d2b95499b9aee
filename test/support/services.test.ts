import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  CURRENT_NATS,
  defaultBinDirs,
  findBinary,
  isCi,
  resolveService,
  startLocalService,
  type TestcontainersLoader,
  type TestService,
} from "./services.js";

/** First CRLF line the server sends after connecting (and optionally writing `send`). */
function firstLine(url: string, send?: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    let data = "";
    socket.setTimeout(3_000, () => socket.destroy(new Error(`no reply from ${url}`)));
    socket.once("error", reject);
    socket.once("connect", () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      const end = data.indexOf("\r\n");
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
  });
}

/** "connected", or the error code of a failed connection attempt. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(3_000, () => socket.destroy(new Error("timeout")));
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const noEngine: TestcontainersLoader = () => Promise.reject(new Error("not installed (test)"));
const redisUrl = inject("redisUrl");
const natsUrl = inject("natsUrl");
const localDirs = defaultBinDirs();
const haveRedisBinary = findBinary("redis", localDirs) !== undefined;
const haveNatsBinary = findBinary("nats", localDirs) !== undefined;
const currentNats =
  process.env[CURRENT_NATS.binaryVar] ?? findBinary("nats", localDirs, CURRENT_NATS.binaryName);

const opened: TestService[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((service) => service.close()));
});
async function local(kind: "redis" | "nats"): Promise<TestService> {
  const service = await startLocalService(kind, { loadTestcontainers: noEngine });
  opened.push(service);
  return service;
}

describe.skipIf(!redisUrl)("provided redis", () => {
  it("answers PING with +PONG", async () => {
    expect(await firstLine(redisUrl ?? "", "PING\r\n")).toBe("+PONG");
  });
});

describe.skipIf(!natsUrl)("provided nats", () => {
  it("greets with INFO", async () => {
    expect(await firstLine(natsUrl ?? "")).toMatch(/^INFO \{.*"server_id"/);
  });
});

describe.skipIf(!haveRedisBinary)("startLocalService(redis)", () => {
  it("stops, refuses connections, and restarts on the same port", async () => {
    const redis = await local("redis");
    expect(redis.source).toBe("binary");
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(await firstLine(redis.url, "PING\r\n")).toBe("+PONG");

    await redis.stop();
    expect(await connectOutcome(redis.port)).toBe("ECONNREFUSED");
    await redis.stop(); // idempotent

    await redis.start();
    expect(await firstLine(redis.url, "PING\r\n")).toBe("+PONG");
  });

  it("starts independent instances on distinct ports", async () => {
    const [a, b] = await Promise.all([local("redis"), local("redis")]);
    expect(a.port).not.toBe(b.port);
    await a.stop();
    expect(await firstLine(b.url, "PING\r\n")).toBe("+PONG");
  });

  it("refuses start() after close()", async () => {
    const redis = await startLocalService("redis", { loadTestcontainers: noEngine });
    await redis.close();
    expect(await connectOutcome(redis.port)).toBe("ECONNREFUSED");
    await expect(redis.start()).rejects.toThrow(/closed/);
  });
});

describe.skipIf(!haveNatsBinary)("startLocalService(nats)", () => {
  it("stops, refuses connections, and restarts on the same port", async () => {
    const nats = await local("nats");
    expect(nats.source).toBe("binary");
    expect(await firstLine(nats.url)).toMatch(/^INFO \{/);
    expect(await firstLine(nats.url)).toContain('"jetstream":true');

    await nats.stop();
    expect(await connectOutcome(nats.port)).toBe("ECONNREFUSED");

    await nats.start();
    expect(await firstLine(nats.url)).toMatch(/^INFO \{/);
  });

  it("close() removes the JetStream temp dir", async () => {
    const nats = await startLocalService("nats", { loadTestcontainers: noEngine });
    const dir = nats.dataDir;
    expect(dir).toBeDefined();
    expect(existsSync(dir ?? "")).toBe(true);
    await nats.close();
    expect(existsSync(dir ?? "")).toBe(false);
    expect(await connectOutcome(nats.port)).toBe("ECONNREFUSED");
  });
});

describe.skipIf(currentNats === undefined)("startLocalService(nats, current)", () => {
  it("runs the current nats-server 2.x with JetStream, not the distribution's", async () => {
    const nats = await startLocalService("nats", {
      flavor: "current",
      loadTestcontainers: noEngine,
    });
    opened.push(nats);
    const info = JSON.parse((await firstLine(nats.url)).slice("INFO ".length)) as {
      version: string;
      jetstream: boolean;
    };
    expect(info.jetstream).toBe(true);
    const [major, minor] = info.version.split(".").map(Number);
    expect(major).toBe(2);
    expect(minor).toBeGreaterThanOrEqual(10);
  });
});

describe("resolveService (current nats-server)", () => {
  it("prefers NATS_CURRENT_URL, and never reads NATS_URL for it", async () => {
    const service = await resolveService("nats", {
      flavor: "current",
      env: { NATS_URL: "nats://10.0.0.1:4222", NATS_CURRENT_URL: "nats://10.0.0.2:4333" },
      loadTestcontainers: () => Promise.reject(new Error("must not be called")),
    });
    expect(service).toMatchObject({ source: "env", host: "10.0.0.2", port: 4333 });
  });

  it("under CI with no binary and no engine, rejects naming what was tried", async () => {
    const attempt = resolveService("nats", {
      flavor: "current",
      env: { CI: "true" },
      // Where Debian puts its nats-server: that one is not the current one.
      binDirs: ["/usr/sbin"],
      loadTestcontainers: noEngine,
    });
    await expect(attempt).rejects.toThrow(
      /nats \(current\) is unavailable.*NATS_CURRENT_URL not set.*NATS_SERVER_CURRENT not set and no nats-server-current binary.*CI requires nats \(current\)/,
    );
  });

  it("reports a NATS_SERVER_CURRENT that is not an executable, and skips outside CI", async () => {
    const messages: string[] = [];
    const service = await resolveService("nats", {
      flavor: "current",
      env: { CI: "false", NATS_SERVER_CURRENT: "/nonexistent/nats-server" },
      binDirs: [],
      loadTestcontainers: noEngine,
      onUnavailable: (message) => messages.push(message),
    });
    expect(service).toBeUndefined();
    expect(messages).toEqual([
      expect.stringContaining("NATS_SERVER_CURRENT=/nonexistent/nats-server is not an executable"),
    ]);
  });

  it("has no current flavor for redis", async () => {
    await expect(resolveService("redis", { flavor: "current", env: {} })).rejects.toThrow(
      /redis has no "current" flavor/,
    );
  });
});

describe("resolveService", () => {
  it("prefers REDIS_URL over binaries and containers", async () => {
    const service = await resolveService("redis", {
      env: { REDIS_URL: "redis://fake.invalid:6390", CI: "true" },
      binDirs: localDirs,
      loadTestcontainers: () => Promise.reject(new Error("must not be called")),
    });
    expect(service).toMatchObject({
      source: "env",
      url: "redis://fake.invalid:6390",
      host: "fake.invalid",
      port: 6390,
    });
  });

  it("env services cannot be stopped or restarted", async () => {
    const service = await resolveService("nats", { env: { NATS_URL: "nats://10.0.0.1" } });
    expect(service?.port).toBe(4222);
    await expect(service?.stop()).rejects.toThrow(/NATS_URL.*startLocalService\("nats"\)/);
    await expect(service?.start()).rejects.toThrow(/cannot restart/);
    await expect(service?.close()).resolves.toBeUndefined();
  });

  it.skipIf(!haveRedisBinary)("spawns a binary found through the injected PATH", async () => {
    const service = await resolveService("redis", {
      env: { PATH: localDirs.join(":") },
      loadTestcontainers: noEngine,
    });
    if (service) opened.push(service);
    expect(service?.source).toBe("binary");
    expect(await firstLine(service?.url ?? "", "PING\r\n")).toBe("+PONG");
  });

  it("under CI with no binary and no engine, rejects naming the service and what was tried", async () => {
    const attempt = resolveService("nats", {
      env: { CI: "true" },
      binDirs: [],
      loadTestcontainers: noEngine,
    });
    await expect(attempt).rejects.toThrow(
      /nats is unavailable.*NATS_URL not set.*no nats-server binary.*not installed \(test\)/,
    );
  });

  it("treats a failing container runtime as no engine", async () => {
    const loader: TestcontainersLoader = async () => ({
      getContainerRuntimeClient: () => Promise.reject(new Error("no docker socket")),
      GenericContainer: class {
        constructor() {
          throw new Error("must not be constructed");
        }
      } as never,
    });
    const attempt = resolveService("redis", {
      env: { CI: "1" },
      binDirs: [],
      loadTestcontainers: loader,
    });
    await expect(attempt).rejects.toThrow(
      /redis is unavailable.*no container engine \(no docker socket\)/,
    );
  });

  it("outside CI, an unavailable service is undefined and reported", async () => {
    const messages: string[] = [];
    const service = await resolveService("redis", {
      env: { CI: "false" },
      binDirs: [],
      loadTestcontainers: noEngine,
      onUnavailable: (message) => messages.push(message),
    });
    expect(service).toBeUndefined();
    expect(messages).toEqual([expect.stringContaining("no redis-server binary")]);
  });
});

describe("helpers", () => {
  it("isCi follows the CI variable", () => {
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: "" })).toBe(false);
    expect(isCi({ CI: "false" })).toBe(false);
    expect(isCi({ CI: "0" })).toBe(false);
    expect(isCi({ CI: "true" })).toBe(true);
    expect(isCi({ CI: "1" })).toBe(true);
  });

  it("defaultBinDirs appends the sbin dirs to PATH", () => {
    expect(defaultBinDirs({ PATH: "/opt/a:/usr/sbin" })).toEqual([
      "/opt/a",
      "/usr/sbin",
      "/usr/local/sbin",
      "/usr/local/bin",
    ]);
    expect(findBinary("nats", [])).toBeUndefined();
  });
});
