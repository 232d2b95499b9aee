// k8s/helm/switchyard with real helm (built by test/deploy/install-tools.sh): `helm lint
// --strict` and `helm template` for every documented values combination, every rendered object
// valid against the Kubernetes schemas (kubernetes-models) and the strict validator, and the
// chart's own refusals of values that would make a broken release.
import { describe, expect, it } from "vitest";
import {
  HELM_CASES,
  type HelmValues,
  helmLint,
  helmTemplate,
  helmTemplateText,
  sidTags,
  validateStrict,
} from "./support/helm.js";
import { validateObject } from "./support/k8s.js";
import { deployTool } from "./support/tools.js";

const helm = deployTool("helm");
const validator = deployTool("k8s-validator");

describe.skipIf(helm === undefined || validator === undefined)("helm", () => {
  const bin = helm as string;

  describe.each(HELM_CASES)("$name", ({ values }) => {
    it("passes helm lint --strict", async () => {
      const result = await helmLint(bin, values);
      expect(result.stdout + result.stderr).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.code).toBe(0);
    });

    it("renders objects that validate against the schemas, strictly", async () => {
      const text = await helmTemplateText(bin, values);
      expect(text.stderr).toBe("");
      const strict = await validateStrict(validator as string, text.stdout);
      expect(strict.filter((r) => r.errors.length > 0)).toEqual([]);
      const objects = await helmTemplate(bin, values);
      expect(strict.map((r) => `${r.kind}/${r.name}`)).toEqual(
        objects.map((o) => `${o.kind}/${o.metadata.name}`),
      );
      expect((await Promise.all(objects.map(validateObject))).flat()).toEqual([]);
    });
  });

  const refusals: Array<[string, HelmValues, string]> = [
    ["an unknown backend.type", { set: { "backend.type": "kafka" } }, "backend.type must be"],
    ["an unknown routing", { set: { routing: "ingress" } }, "routing must be"],
    [
      "gateway-sid without a tag per ordinal",
      { set: { routing: "gateway-sid" }, json: { "gateway.sidTags": sidTags(3) } },
      "needs one gateway.sidTags entry per node ordinal",
    ],
    [
      "a Permanent cookie without absoluteTimeout",
      { set: { routing: "gateway", "gateway.cookieLifetimeType": "Permanent" } },
      "gateway.absoluteTimeout is required",
    ],
    [
      "a grace period below ping interval + timeout",
      { set: { "node.terminationGracePeriodSeconds": 40 } },
      "must exceed (pingIntervalMs + pingTimeoutMs) / 1000",
    ],
    [
      "a grace period below preStop + shutdown timeout",
      { set: { "node.terminationGracePeriodSeconds": 50, "node.shutdownTimeoutMs": 60000 } },
      "must be >= preStopSleepSeconds + shutdownTimeoutMs / 1000 + 1",
    ],
    [
      "a trustForwardedFor that is no hop count",
      { set: { "node.trustForwardedFor": "yes" } },
      "node.trustForwardedFor must be an integer from 0 to 32",
    ],
    [
      "more than 32 trusted hops",
      { set: { "node.trustForwardedFor": 33 } },
      "node.trustForwardedFor must be an integer from 0 to 32",
    ],
    [
      "a balancer that trusts its proxy with nodes that read one hop",
      { set: { "balancer.trustForwardedFor": true } },
      "balancer.trustForwardedFor needs node.trustForwardedFor >= 2",
    ],
  ];

  it.each(refusals)("refuses %s", async (_label, values, message) => {
    const result = await helmTemplateText(bin, values);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
