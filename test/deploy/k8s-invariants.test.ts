// k8s/: properties of the rendered base and overlays, and of the Helm chart rendered by helm for
// each bus and front door, that schemas cannot see: timeouts that fit
// together, probes on the right paths and ports, selectors that select, the balancer's static
// upstream list matching the StatefulSet, headless Service and autoscaler, hardened pods and
// consistent images. Each check reads the rendered output, so a patch that breaks one fails.
import { nodeTag } from "@switchyard/server";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IService } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, it } from "vitest";
import {
  flags,
  type K8sObject,
  only,
  type PodOwner,
  preStopMs,
  selects,
  typed,
  workloads,
} from "./support/k8s.js";
import { renderTargets } from "./support/render-targets.js";

const NODE = "switchyard-node";
const BALANCER = "switchyard-balancer";

function container(owner: PodOwner, name: string): IContainer {
  const found = owner.spec.template.spec?.containers.find((c) => c.name === name);
  if (found === undefined) throw new Error(`${owner.metadata.name} has no container ${name}`);
  return found;
}

/** The numeric container port a named or numeric port reference points at. */
function portOf(c: IContainer, ref: string | number | undefined): number | undefined {
  if (typeof ref === "number") return ref;
  return c.ports?.find((p) => p.name === ref)?.containerPort;
}

/** The node ConfigMap the StatefulSet's envFrom names (kustomize appends a hash). */
function nodeConfig(objects: readonly K8sObject[], node: PodOwner): Record<string, string> {
  const ref = container(node, "node").envFrom?.[0]?.configMapRef?.name;
  return only(objects, "ConfigMap", ref).data ?? {};
}

const POD_NAME = "statefulset.kubernetes.io/pod-name";

/** One rule of the sid-routing HTTPRoute, as the test reads it. */
interface SidRule {
  matches: unknown[];
  backendRefs: { name: string; port: number }[];
  timeouts?: unknown;
  sessionPersistence?: unknown;
}

describe.each(renderTargets())("$label", (target) => {
  let objects: K8sObject[] = [];
  let node: PodOwner;
  let config: Record<string, string>;
  const gateway = target.routing !== "balancer";
  const sidRoutes = target.routing === "gateway-sid";
  beforeAll(async () => {
    objects = await target.render();
    node = only(objects, "StatefulSet", NODE) as PodOwner;
    config = nodeConfig(objects, node);
  });
  const num = (key: string): number => {
    const value = Number(config[key]);
    if (!Number.isInteger(value)) throw new Error(`${key} is not an integer: ${config[key]}`);
    return value;
  };

  it("gives nodes a grace period above ping interval + timeout and the whole shutdown", () => {
    const grace = node.spec.template.spec?.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThan((num("PING_INTERVAL_MS") + num("PING_TIMEOUT_MS")) / 1000);
    const preStop = preStopMs(container(node, "node"));
    expect(preStop).toBeGreaterThan(0);
    // The process exits at most 1 s after SHUTDOWN_TIMEOUT_MS (the server's exit margin).
    expect(grace * 1000).toBeGreaterThanOrEqual(preStop + num("SHUTDOWN_TIMEOUT_MS") + 1000);
    expect(num("SHUTDOWN_DRAIN_MS")).toBeLessThan(num("SHUTDOWN_TIMEOUT_MS"));
  });

  it("probes the nodes on /healthz and /readyz at the configured port", () => {
    const c = container(node, "node");
    expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(c.startupProbe?.httpGet?.path).toBe("/healthz");
    expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      expect(portOf(c, probe?.httpGet?.port)).toBe(num("PORT"));
    }
  });

  it("names each node after its pod, behind a headless Service that survives draining", () => {
    const sts = typed<IStatefulSet>(node);
    expect(sts.spec?.podManagementPolicy).toBe("Parallel");
    const env = container(node, "node").env ?? [];
    for (const name of ["SWITCHYARD_NODE_ID"]) {
      expect(env.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath).toBe(
        "metadata.name",
      );
    }
    const headless = typed<IService>(only(objects, "Service", sts.spec?.serviceName));
    expect(headless.spec?.clusterIP).toBe("None");
    expect(headless.spec?.publishNotReadyAddresses).toBe(true);
  });

  it("lets the autoscaler own the node count", () => {
    const hpa = typed<IHorizontalPodAutoscaler>(only(objects, "HorizontalPodAutoscaler"));
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: "StatefulSet", name: NODE });
    expect(typed<IStatefulSet>(node).spec?.replicas).toBeUndefined();
    expect(hpa.spec?.minReplicas ?? 1).toBeGreaterThanOrEqual(2);
  });

  it("selects existing pods with every Service, PDB, HPA and NetworkPolicy", () => {
    const pods = workloads(objects);
    for (const w of pods) {
      expect(selects(w.spec.selector.matchLabels, w.spec.template.metadata?.labels)).toBe(true);
    }
    // A StatefulSet's controller adds the pod name (`<name>-<ordinal>`) to its pods' labels.
    const podLabels = (w: PodOwner, selector: Record<string, string> | undefined) => {
      const labels = { ...w.spec.template.metadata?.labels };
      const name = selector?.[POD_NAME];
      const own = new RegExp(`^${w.metadata.name}-\\d+$`);
      if (w.kind === "StatefulSet" && name !== undefined && own.test(name)) labels[POD_NAME] = name;
      return labels;
    };
    const podsOf = (selector: Record<string, string> | undefined): PodOwner[] =>
      pods.filter((w) => selects(selector, podLabels(w, selector)));
    for (const service of objects.filter((o) => o.kind === "Service").map(typed<IService>)) {
      const [target, ...rest] = podsOf(service.spec?.selector);
      expect(target, service.metadata?.name).toBeDefined();
      expect(rest).toEqual([]);
      for (const port of service.spec?.ports ?? []) {
        const cs = target?.spec.template.spec?.containers ?? [];
        expect(cs.some((c) => portOf(c, port.targetPort) !== undefined)).toBe(true);
      }
    }
    for (const pdb of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
      const selector = pdb.spec?.["selector"] as { matchLabels: Record<string, string> };
      expect(podsOf(selector.matchLabels), pdb.metadata.name).toHaveLength(1);
    }
    const hpa = typed<IHorizontalPodAutoscaler>(only(objects, "HorizontalPodAutoscaler"));
    const ref = hpa.spec?.scaleTargetRef;
    expect(pods.filter((w) => w.kind === ref?.kind && w.metadata.name === ref.name)).toHaveLength(
      1,
    );
    for (const policy of objects
      .filter((o) => o.kind === "NetworkPolicy")
      .map(typed<INetworkPolicy>)) {
      expect(podsOf(policy.spec?.podSelector.matchLabels), policy.metadata?.name).toHaveLength(1);
      const peers = (policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []);
      for (const peer of peers.filter((p) => p.namespaceSelector === undefined)) {
        expect(podsOf(peer.podSelector?.matchLabels)).toHaveLength(1);
      }
    }
  });

  it("restricts node ingress to the front door and scrapers, and the bus to the nodes", () => {
    const policy = typed<INetworkPolicy>(only(objects, "NetworkPolicy", NODE));
    const peers = (policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []);
    const namespaces = peers.map(
      (p) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
    );
    expect(namespaces).toContain("monitoring");
    if (gateway) expect(namespaces).toContain("envoy-gateway-system");
    else
      expect(
        peers.some(
          (p) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "balancer",
        ),
      ).toBe(true);
    for (const bus of ["redis", "nats"]) {
      const found = objects.find(
        (o) => o.kind === "NetworkPolicy" && o.metadata.name === `switchyard-${bus}`,
      );
      if (found === undefined) continue;
      const from = (typed<INetworkPolicy>(found).spec?.ingress ?? []).flatMap((r) => r.from ?? []);
      expect(from.map((p) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"])).toEqual([
        "node",
      ]);
    }
  });

  it("counts clients, not the front door, in the nodes' per-address limits", () => {
    // The nodes read the client address from X-Forwarded-For: one hop (the balancer or the
    // gateway appended it), two behind a proxy the balancer trusts.
    const hops = num("TRUST_FORWARDED_FOR");
    expect(hops).toBeGreaterThanOrEqual(1);
    // Trusting the header is safe only if nothing but the front door (and scrapers) reaches them.
    const policy = typed<INetworkPolicy>(only(objects, "NetworkPolicy", NODE));
    expect(policy.spec?.policyTypes).toContain("Ingress");
    for (const rule of policy.spec?.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
    if (gateway) return;
    const args = container(only(objects, "Deployment", BALANCER) as PodOwner, "balancer").args;
    // A balancer that trusts a proxy in front of it means one more hop for the nodes.
    expect(args?.includes("--trust-forwarded-for") ? 2 : 1).toBe(hops);
  });

  it("points each backend overlay's URL at its bus Service", () => {
    const bus = target.bus;
    if (bus === undefined) {
      expect(config["REDIS_URL"] ?? config["NATS_URL"]).toBeUndefined();
      return;
    }
    // The node refuses to start with both (one cluster bus per node).
    expect(config[bus === "redis" ? "NATS_URL" : "REDIS_URL"]).toBeUndefined();
    const url = new URL(config[bus === "redis" ? "REDIS_URL" : "NATS_URL"] ?? "");
    const service = typed<IService>(only(objects, "Service", url.hostname));
    expect(service.spec?.ports?.map((p) => p.port)).toContain(Number(url.port));
    expect(only(objects, "StatefulSet", `switchyard-${bus}`)).toBeDefined();
  });

  it("runs every container as non-root with a read-only root and no capabilities", () => {
    for (const w of workloads(objects)) {
      const pod = w.spec.template.spec;
      expect(pod?.enableServiceLinks, w.metadata.name).toBe(false);
      expect(pod?.securityContext?.seccompProfile?.type).toBe("RuntimeDefault");
      for (const c of pod?.containers ?? []) {
        const nonRoot = c.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot;
        const uid = c.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
        expect(nonRoot, `${w.metadata.name}/${c.name}`).toBe(true);
        expect(uid).toBeGreaterThan(0);
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.capabilities?.drop).toEqual(["ALL"]);
        expect(c.resources?.requests?.["memory"]).toBeDefined();
        expect(c.resources?.limits?.["memory"]).toBeDefined();
      }
    }
  });

  it("uses one switchyard image and pinned third-party images", () => {
    const images = workloads(objects).flatMap(
      (w) => w.spec.template.spec?.containers.map((c) => c.image ?? "") ?? [],
    );
    const own = new Set(images.filter((i) => /(^|\/)switchyard(:|$)/.test(i)));
    expect([...own]).toEqual(["switchyard:0.1.0"]);
    for (const image of images) expect(image).toMatch(/:[\w.-]+$/);
    expect(images.some((i) => i.endsWith(":latest"))).toBe(false);
  });

  if (sidRoutes) {
    it("replaces the balancer with HTTPRoute rules matching each ordinal's sid tag", () => {
      expect(objects.filter((o) => o.metadata.name === BALANCER)).toEqual([]);
      const max = typed<IHorizontalPodAutoscaler>(only(objects, "HorizontalPodAutoscaler")).spec
        ?.maxReplicas;
      const rules = (only(objects, "HTTPRoute").spec?.["rules"] ?? []) as SidRule[];
      expect(rules).toHaveLength((max ?? 0) + 1);
      for (const rule of rules) {
        expect(rule.sessionPersistence).toBeUndefined();
        expect(rule.timeouts).toEqual({ request: "0s" });
      }
      rules.slice(0, -1).forEach((rule, i) => {
        const pod = `${NODE}-${i}`;
        expect(rule.matches).toEqual([
          { queryParams: [{ type: "RegularExpression", name: "sid", value: `^${nodeTag(pod)}` }] },
        ]);
        // Its backend selects exactly that pod, even while it drains (not ready).
        const [backend] = rule.backendRefs;
        const service = typed<IService>(only(objects, "Service", backend?.name));
        expect(service.spec?.selector).toEqual({
          ...node.spec.selector.matchLabels,
          [POD_NAME]: pod,
        });
        expect(service.spec?.publishNotReadyAddresses).toBe(true);
        expect(service.spec?.ports?.map((p) => p.port)).toEqual([backend?.port]);
        expect(backend?.port).toBe(num("PORT"));
      });
      // Everything else (handshakes): the ready nodes.
      const last = rules.at(-1);
      expect(last?.matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
      const service = typed<IService>(only(objects, "Service", last?.backendRefs[0]?.name));
      expect(service.spec?.selector).toEqual(node.spec.selector.matchLabels);
      expect(service.spec?.publishNotReadyAddresses).toBeUndefined();
    });
    return;
  }

  if (gateway) {
    it("replaces the balancer with an HTTPRoute to the ready nodes", () => {
      expect(objects.filter((o) => o.metadata.name === BALANCER)).toEqual([]);
      const rules = (only(objects, "HTTPRoute").spec?.["rules"] ?? []) as Record<string, unknown>[];
      const [rule] = rules;
      expect(rule?.["sessionPersistence"]).toMatchObject({ type: "Cookie" });
      const [backend] = (rule?.["backendRefs"] ?? []) as { name: string; port: number }[];
      const service = typed<IService>(only(objects, "Service", backend?.name));
      expect(service.spec?.clusterIP).toBeUndefined();
      expect(service.spec?.ports?.map((p) => p.port)).toContain(backend?.port);
      expect(service.spec?.selector).toEqual(node.spec.selector.matchLabels);
    });
    return;
  }

  it("lists node ordinals 0..maxReplicas-1 as balancer upstreams, by pod name", () => {
    const sts = typed<IStatefulSet>(node);
    const headless = sts.spec?.serviceName;
    const max = typed<IHorizontalPodAutoscaler>(only(objects, "HorizontalPodAutoscaler")).spec
      ?.maxReplicas;
    const args = flags(
      container(only(objects, "Deployment", BALANCER) as PodOwner, "balancer").args,
    );
    // The pod's DNS name through the headless Service, namespace-qualified or not (Helm).
    const ids = Array.from({ length: max ?? 0 }, (_, i) => `${NODE}-${i}`);
    const upstreams = args.get("upstream") ?? [];
    expect(upstreams).toHaveLength(ids.length);
    upstreams.forEach((upstream, i) => {
      const id = ids[i];
      const host = new RegExp(
        `^${id}=http://${id}\\.${headless}(\\.[a-z0-9-]+\\.svc)?:${num("PORT")}$`,
      );
      expect(upstream).toMatch(host);
    });
    // The balancer refuses to start when two node ids share a sid tag.
    const tags = ids.map((id) => nodeTag(id));
    expect(new Set(tags).size).toBe(tags.length);
  });

  it("keeps the balancer's timeouts in step with the nodes'", () => {
    const deployment = only(objects, "Deployment", BALANCER) as PodOwner;
    const c = container(deployment, "balancer");
    const arg = (name: string): number => Number(flags(c.args).get(name)?.[0]);
    expect(arg("idle-timeout-ms")).toBeGreaterThan(
      num("PING_INTERVAL_MS") + num("PING_TIMEOUT_MS"),
    );
    expect(flags(c.args).get("health-path")).toEqual([
      container(node, "node").readinessProbe?.httpGet?.path,
    ]);
    // A stopping node stays up, not ready, until the balancer has seen two failed checks.
    expect(num("SHUTDOWN_DRAIN_MS")).toBeGreaterThanOrEqual(
      2 * arg("health-interval-ms") + arg("health-timeout-ms"),
    );
    const grace = deployment.spec.template.spec?.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1000).toBeGreaterThan(preStopMs(c) + arg("drain-timeout-ms"));
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      expect(portOf(c, probe?.tcpSocket?.port)).toBe(arg("port"));
    }
    expect(typed<IDeployment>(deployment).spec?.replicas).toBeGreaterThanOrEqual(2);
  });
});
