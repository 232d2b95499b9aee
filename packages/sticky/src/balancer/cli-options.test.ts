import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { parseCli, parseUpstream } from "./cli-options.js";

describe("parseCli", () => {
  it("builds balancer options from repeated flags", () => {
    const command = parseCli(
      [
        "--port",
        "9000",
        "--upstream",
        "a=http://10.0.0.1:3000",
        "--upstream",
        "b=http://10.0.0.2:3000",
        "--health-path",
        "/ready",
        "--health-interval-ms",
        "500",
        "--new-sessions",
        "consistent-hash",
        "--cookie",
        "io",
        "--max-header-bytes",
        "8192",
        "--trust-forwarded-for",
      ],
      {},
    );
    expect(command).toEqual({
      kind: "run",
      options: {
        port: 9000,
        upstreams: [
          { id: "a", url: "http://10.0.0.1:3000" },
          { id: "b", url: "http://10.0.0.2:3000" },
        ],
        healthCheck: { path: "/ready", intervalMs: 500 },
        limits: { maxHeaderBytes: 8192 },
        newSessions: "consistent-hash",
        cookie: "io",
        trustForwardedFor: true,
      },
    });
  });

  it("passes every limit, health and pool setting of BalancerOptions through", () => {
    const command = parseCli(
      [
        "--upstream=a=http://h:1",
        "--health-fall=3",
        "--health-rise=2",
        "--max-free-sockets=8",
        "--request-timeout-ms=30000",
        "--keep-alive-timeout-ms=4000",
        "--max-pipelined-requests=4",
        "--max-connections-per-address=50000",
        "--handshakes-per-second=5000",
        "--handshake-burst=20000",
      ],
      {},
    );
    expect(command.kind === "run" && command.options).toMatchObject({
      healthCheck: { fall: 3, rise: 2 },
      maxFreeSocketsPerUpstream: 8,
      limits: { requestTimeoutMs: 30_000, keepAliveTimeoutMs: 4000, maxPipelinedRequests: 4 },
      addressLimits: { maxConnections: 50_000, handshakesPerSecond: 5000, handshakeBurst: 20_000 },
    });
    const off = parseCli(["--upstream=a=http://h:1", "--no-address-limits"], {});
    expect(off.kind === "run" && off.options.addressLimits).toBe(false);
    const defaults = parseCli(["--upstream=a=http://h:1"], {});
    expect(defaults.kind === "run" && "addressLimits" in defaults.options).toBe(false);
    expect(() =>
      parseCli(["--no-address-limits", "--handshake-burst=5", "--upstream=a=http://h:1"], {}),
    ).toThrow(/--no-address-limits and --handshake-burst contradict/);
    expect(() => parseCli(["--max-connections-per-address=1e4"], {})).toThrow(/integer/);
  });

  it("trusts X-Forwarded-For with SWITCHYARD_TRUST_FORWARDED_FOR=1 (or true), refuses nonsense", () => {
    const trust = (value: string) => {
      const command = parseCli(["--upstream=a=http://h:1"], {
        SWITCHYARD_TRUST_FORWARDED_FOR: value,
      });
      return command.kind === "run" ? command.options.trustForwardedFor : undefined;
    };
    expect([trust("1"), trust("true"), trust(" TRUE ")]).toEqual([true, true, true]);
    expect([trust("0"), trust("false"), trust("")]).toEqual([undefined, undefined, undefined]);
    expect(() => trust("yes")).toThrow(
      /SWITCHYARD_TRUST_FORWARDED_FOR must be 1, true, 0 or false/,
    );
  });

  it("reads the environment when flags are absent, flags winning otherwise", () => {
    const env = {
      SWITCHYARD_UPSTREAMS: "a=http://h:1, b=http://h:2",
      SWITCHYARD_BALANCER_PORT: "7000",
    };
    const fromEnv = parseCli([], env);
    expect(fromEnv.kind === "run" && fromEnv.options.port).toBe(7000);
    expect(fromEnv.kind === "run" && fromEnv.options.upstreams.map((u) => u.id)).toEqual([
      "a",
      "b",
    ]);
    const flagged = parseCli(["--port", "1", "--upstream", "c=http://h:3"], env);
    expect(flagged.kind === "run" && flagged.options.port).toBe(1);
    expect(flagged.kind === "run" && flagged.options.upstreams.map((u) => u.id)).toEqual(["c"]);
  });

  it("turns health checks off with --no-health-check and answers --help", () => {
    const command = parseCli(["--no-health-check", "--upstream", "a=http://h:1"], {});
    expect(command.kind === "run" && command.options.healthCheck).toBe(false);
    expect(parseCli(["--help"], {})).toEqual({ kind: "help" });
  });

  it("rejects unknown flags, non-integers and malformed upstreams with InvalidArgumentError", () => {
    expect(() => parseCli(["--bogus"], {})).toThrow(InvalidArgumentError);
    expect(() => parseCli(["--port", "80x"], {})).toThrow(/integer/);
    expect(() => parseUpstream("no-equals")).toThrow(InvalidArgumentError);
    expect(() => parseUpstream("=http://h:1")).toThrow(InvalidArgumentError);
  });
});
