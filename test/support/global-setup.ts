// Vitest globalSetup for the e2e project: resolves redis and NATS once per run and provides
// their URLs (`inject("redisUrl")`, `inject("natsUrl")`; undefined = unavailable, tests skip).
import type { TestProject } from "vitest/node";
import { resolveService, type ServiceKind, type TestService } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string | undefined;
    natsUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kinds: ServiceKind[] = ["redis", "nats"];
  const results = await Promise.allSettled(
    kinds.map((kind) =>
      resolveService(kind, {
        onUnavailable: (message) => console.warn(`[services] ${message}; dependent tests skip.`),
      }),
    ),
  );
  const started: TestService[] = [];
  const errors: string[] = [];
  for (const result of results) {
    if (result.status === "rejected") errors.push((result.reason as Error).message);
    else if (result.value !== undefined) started.push(result.value);
  }
  if (errors.length > 0) {
    await Promise.allSettled(started.map((service) => service.close()));
    throw new Error(errors.join("\n"));
  }
  for (const service of started)
    console.log(`[services] ${service.kind}: ${service.source} ${service.url}`);
  const urlOf = (kind: ServiceKind): string | undefined =>
    started.find((service) => service.kind === kind)?.url;
  project.provide("redisUrl", urlOf("redis"));
  project.provide("natsUrl", urlOf("nats"));

  return async () => {
    await Promise.allSettled(started.map((service) => service.close()));
  };
}
