// What every generated router configuration (nginx, HAProxy, Gateway API) is made from: the
// balancer's validated options, each node's sid tag (`nodeTag(nodeId)`, never computed by hand)
// and a name safe to use as an nginx upstream, an HAProxy backend or a Kubernetes Service.

import { InvalidArgumentError } from "../../errors.js";
import type { NewSessionPolicy, ResolvedBalancerOptions } from "../balancer-options.js";
import type { ResolvedHealthCheck } from "../health-check.js";

/** One node as a generated configuration names it. */
export interface PlannedNode {
  /** The node's `nodeId`. */
  readonly id: string;
  /** The first 4 characters of every sid the node mints. */
  readonly tag: string;
  /** `id` reduced to `[A-Za-z0-9_-]` (unique among the nodes). */
  readonly name: string;
  /** Host as written in the URL (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** `host:port`, IPv6 hosts in brackets. */
  readonly address: string;
}

/** Input of every generator. */
export interface RouterPlan {
  readonly nodes: readonly PlannedNode[];
  readonly newSessions: NewSessionPolicy;
  /** Listen port of the generated router. */
  readonly port: number;
  /** The nodes' health check; `false` when checks are off. */
  readonly healthCheck: ResolvedHealthCheck | false;
  /** Idle limit of client, upstream and tunnel connections, in whole seconds (rounded up). */
  readonly idleTimeoutSeconds: number;
  /** The command that generated the file, quoted in its header so anyone can regenerate it. */
  readonly command: string;
}

/** Builds the plan from resolved balancer options and the generating command line. */
export function planRouter(options: ResolvedBalancerOptions, command: string): RouterPlan {
  const names = new Set<string>();
  const nodes = options.upstreams.map((upstream): PlannedNode => {
    const name = upstream.id.replace(/[^A-Za-z0-9_-]/g, "_");
    if (names.has(name)) {
      throw new InvalidArgumentError(`node ids reduce to the same name ${name}: rename one`);
    }
    names.add(name);
    const address = upstream.host.includes(":")
      ? `[${upstream.host}]:${upstream.port}`
      : `${upstream.host}:${upstream.port}`;
    return { ...upstream, name, address };
  });
  return {
    nodes,
    newSessions: options.newSessions,
    port: options.port,
    healthCheck: options.healthCheck,
    idleTimeoutSeconds: Math.ceil(options.idleTimeoutMs / 1000),
    command,
  };
}

/** `ms` as whole seconds, rounded up, at least 1. */
export function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
