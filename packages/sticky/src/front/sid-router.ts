// The one route-and-count step of the cluster primary and the balancer: a request naming a sid
// goes to the target whose node tag starts it; a cookie is a hint while its target is usable;
// anything else is a new session, placed by the router's policy. Every outcome is counted.
import type { IncomingMessage } from "node:http";
import { readSidTag } from "@switchyard/server";
import { stickyLog } from "../log.js";
import type { Refusal } from "./front-door.js";
import { pickLeastLoaded, RecentPlacements } from "./pick.js";
import { readRouteKey } from "./route-key.js";

/** Where a request goes, and why: its query sid, its cookie, or a new session. */
export type Routed<T> = { target: T; by: "sid" | "cookie" | "new" } | Refusal;

/** How many requests took each way (the primary and the balancer report them). */
export interface RouteCounters {
  routedBySid: number;
  routedByCookie: number;
  newSessions: number;
  unknownSid: number;
  unavailable: number;
}

/** What placing a new session may use. */
export interface Placement<T> {
  /** Advances once per new session (round-robin, and the tie-break of least-loaded). */
  readonly cursor: number;
  /**
   * The candidate with the lowest load plus the sessions placed on it in the last second or so
   * (a handshake's request ends before its first long-poll arrives); that candidate is credited.
   */
  leastLoaded(): T | undefined;
}

/** How one router treats its targets (workers, upstreams). */
export interface RoutePolicy<T> {
  /** The stable id (node id) of a target. */
  id(target: T): string;
  /** Whether a request whose query sid names `target` goes there (else: unknown sid). */
  takesSid(target: T): boolean;
  /** Whether `target` may take a request routed by its cookie, and new sessions. */
  usable(target: T): boolean;
  /** Its load, for least-loaded placement. */
  load(target: T): number;
  /** Picks the target of a new session among `candidates` (usable, at least one). */
  place(candidates: readonly T[], req: IncomingMessage, placement: Placement<T>): T | undefined;
}

/** Routes and counts the requests of one front door. */
export class SidRouter<T> {
  readonly counters: RouteCounters = {
    routedBySid: 0,
    routedByCookie: 0,
    newSessions: 0,
    unknownSid: 0,
    unavailable: 0,
  };
  readonly #targets: readonly T[];
  readonly #byTag: Map<string, T>;
  readonly #cookie: string | false;
  readonly #policy: RoutePolicy<T>;
  readonly #recent = new RecentPlacements(1_000);
  #cursor = 0;

  /** `targets` by their sid tag; `cookie`: the sticky cookie's name, or false. */
  constructor(
    targets: ReadonlyArray<{ tag: string; target: T }>,
    cookie: string | false,
    policy: RoutePolicy<T>,
  ) {
    this.#targets = targets.map(({ target }) => target);
    this.#byTag = new Map(targets.map(({ tag, target }) => [tag, target]));
    this.#cookie = cookie;
    this.#policy = policy;
  }

  /** Where `req` goes; the outcome is counted. */
  route(req: IncomingMessage): Routed<T> {
    const routed = this.#decide(req);
    const counters = this.counters;
    if (routed === "unknown-sid") counters.unknownSid++;
    else if (routed === "unavailable") counters.unavailable++;
    else if (routed.by === "sid") counters.routedBySid++;
    else if (routed.by === "cookie") counters.routedByCookie++;
    else counters.newSessions++;
    if (stickyLog.enabled) {
      const to =
        typeof routed === "string" ? routed : `${this.#policy.id(routed.target)} by ${routed.by}`;
      stickyLog.log("route %s %s → %s", req.method, req.url, to);
    }
    return routed;
  }

  #decide(req: IncomingMessage): Routed<T> {
    const policy = this.#policy;
    const key = readRouteKey(req.url, req.headers.cookie, this.#cookie);
    if (key !== undefined) {
      const target = this.#byTag.get(readSidTag(key.sid) ?? "");
      if (key.source === "query") {
        return target !== undefined && policy.takesSid(target)
          ? { target, by: "sid" }
          : "unknown-sid";
      }
      // A cookie is only a hint (it may be stale): used while its target is usable.
      if (target !== undefined && policy.usable(target)) return { target, by: "cookie" };
    }
    const candidates = this.#targets.filter((target) => policy.usable(target));
    if (candidates.length === 0) return "unavailable";
    const cursor = this.#cursor++;
    const target = policy.place(candidates, req, {
      cursor,
      leastLoaded: () => this.#leastLoaded(candidates, cursor),
    });
    return target === undefined ? "unavailable" : { target, by: "new" };
  }

  #leastLoaded(candidates: readonly T[], cursor: number): T | undefined {
    const policy = this.#policy;
    const loads = candidates.map((target) => {
      const id = policy.id(target);
      return { id, inFlight: policy.load(target) + this.#recent.get(id) };
    });
    const target = candidates[pickLeastLoaded(loads, cursor)];
    if (target !== undefined) this.#recent.add(policy.id(target));
    return target;
  }
}
