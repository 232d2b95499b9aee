// Everything the k8s invariants hold for: the kustomize base and overlays, and the Helm chart
// rendered by real helm for each bus and front door (when helm is available; under CI it must be).

import { HELM_CASES, helmTemplate } from "./helm.js";
import { type K8sObject, kustomizeTargets, renderKustomize } from "./k8s.js";
import { deployTool } from "./tools.js";

/** One rendered deployment. */
export interface RenderTarget {
  label: string;
  routing: "balancer" | "gateway" | "gateway-sid";
  bus: "redis" | "nats" | undefined;
  render(): Promise<K8sObject[]>;
}

function kustomizeTarget(dir: string): RenderTarget {
  const routing = dir.endsWith("-gateway-sid")
    ? "gateway-sid"
    : dir.endsWith("-gateway")
      ? "gateway"
      : "balancer";
  const bus = (["redis", "nats"] as const).find((name) => dir.includes(name));
  return { label: `kustomize ${dir}`, routing, bus, render: () => renderKustomize(dir) };
}

/** The kustomize targets, then the Helm cases the invariants apply to. */
export function renderTargets(): RenderTarget[] {
  const targets = kustomizeTargets().map(kustomizeTarget);
  const helm = deployTool("helm");
  if (helm === undefined) return targets;
  for (const helmCase of HELM_CASES.filter((c) => c.invariants)) {
    targets.push({
      label: `helm ${helmCase.name}`,
      routing: helmCase.routing,
      bus: helmCase.bus,
      render: () => helmTemplate(helm, helmCase.values),
    });
  }
  return targets;
}
