#!/usr/bin/env node
// `switchyard-balancer`: runs the sid-aware balancer from flags or environment until SIGTERM or
// SIGINT, then drains gracefully. Writes one status line per event to stdout, errors to stderr.
// With `--print <format>` it writes another router's configuration to stdout instead.
import { createBalancer } from "../balancer/balancer.js";
import { parseCli, USAGE } from "../balancer/cli-options.js";
import { renderPrint } from "../balancer/router-config/render.js";
import { StickyError } from "../errors.js";

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === "print") {
    process.stdout.write(renderPrint(command, process.argv.slice(2)));
    return;
  }
  const balancer = createBalancer(command.options);
  const { port } = await balancer.listen();
  process.stdout.write(`${JSON.stringify({ event: "listening", port })}\n`);
  const stop = (signal: string): void => {
    process.stdout.write(`${JSON.stringify({ event: "draining", signal })}\n`);
    void balancer.close().then(() => {
      process.stdout.write(`${JSON.stringify({ event: "closed" })}\n`);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  const code = error instanceof StickyError ? ` (${error.code})` : "";
  process.stderr.write(
    `switchyard-balancer: ${error instanceof Error ? error.message : String(error)}${code}\n`,
  );
  process.exitCode = 1;
});
