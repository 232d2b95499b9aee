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
