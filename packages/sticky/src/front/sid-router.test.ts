import type { IncomingMessage } from "node:http";
import { nodeTag } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { type RoutePolicy, SidRouter } from "./sid-router.js";

interface Target {
  id: string;
  up: boolean;
  load: number;
}

const sidOf = (id: string): string => `${nodeTag(id)}${"x".repeat(16)}`;

function request(query: string, cookie?: string): IncomingMessage {
  return { url: `/socket.io/?EIO=4&transport=polling${query}`, headers: { cookie } } as never;
}

function router(targets: Target[], policy: Partial<RoutePolicy<Target>> = {}) {
  return new SidRouter(
    targets.map((target) => ({ tag: nodeTag(target.id), target })),
    "io",
    {
      id: (t) => t.id,
      takesSid: (t) => t.up,
      usable: (t) => t.up,
      load: (t) => t.load,
      place: (_candidates, _req, placement) => placement.leastLoaded(),
      ...policy,
    },
  );
}

describe("SidRouter", () => {
  it("sends a query sid to the target its tag names, or answers unknown-sid", () => {
    const a = { id: "a", up: true, load: 0 };
    const b = { id: "b", up: false, load: 0 };
    const routes = router([a, b]);
    expect(routes.route(request(`&sid=${sidOf("a")}`))).toEqual({ target: a, by: "sid" });
    expect(routes.route(request(`&sid=${sidOf("b")}`))).toBe("unknown-sid");
    expect(routes.route(request(`&sid=${sidOf("nobody")}`))).toBe("unknown-sid");
    expect(routes.counters).toMatchObject({ routedBySid: 1, unknownSid: 2 });
  });

  it("follows a cookie only while its target is usable, else places a new session", () => {
    const a = { id: "a", up: true, load: 5 };
    const b = { id: "b", up: true, load: 0 };
    const routes = router([a, b]);
    expect(routes.route(request("", `io=${sidOf("a")}`))).toEqual({ target: a, by: "cookie" });
    a.up = false;
    expect(routes.route(request("", `io=${sidOf("a")}`))).toEqual({ target: b, by: "new" });
    expect(routes.counters).toMatchObject({ routedByCookie: 1, newSessions: 1 });
  });

  it("answers unavailable when no target is usable", () => {
    const routes = router([{ id: "a", up: false, load: 0 }]);
    expect(routes.route(request(""))).toBe("unavailable");
    expect(routes.counters.unavailable).toBe(1);
  });

  it("credits each least-loaded placement, so a burst of new sessions is spread", () => {
    const targets = ["a", "b", "c"].map((id) => ({ id, up: true, load: 0 }));
    const routes = router(targets);
    const placed = Array.from({ length: 6 }, () => {
      const routed = routes.route(request(""));
      return typeof routed === "string" ? routed : routed.target.id;
    });
    expect(placed.sort()).toEqual(["a", "a", "b", "b", "c", "c"]);
  });

  it("hands the policy one cursor step per new session, and its usable candidates", () => {
    const targets = ["a", "b"].map((id) => ({ id, up: id === "b", load: 0 }));
    const seen: Array<[string[], number]> = [];
    const routes = router(targets, {
      place: (candidates, _req, placement) => {
        seen.push([candidates.map((t) => t.id), placement.cursor]);
        return candidates[0];
      },
    });
    routes.route(request(""));
    routes.route(request(`&sid=${sidOf("b")}`));
    routes.route(request(""));
    expect(seen).toEqual([
      [["b"], 0],
      [["b"], 1],
    ]);
  });
});
