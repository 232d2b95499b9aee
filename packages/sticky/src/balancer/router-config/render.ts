// `switchyard-balancer --print <format>`: validates the options as the balancer would (same
// upstream, tag-collision and health-check checks), then writes the chosen router's
// configuration, whose header quotes the command so that it can be regenerated exactly.

import { InvalidArgumentError } from "../../errors.js";
import { resolveBalancerOptions } from "../balancer-options.js";
import type { PrintCommand } from "../cli-options.js";
import { gatewayRoute, serviceRef } from "./gateway-route.js";
import { haproxyConfig, haproxyMap } from "./haproxy-config.js";
import { helmValues } from "./helm-values.js";
import { nginxConfig } from "./nginx-config.js";
import { planRouter } from "./router-plan.js";

const SAFE_ARG = /^[\w@%+=:,./-]+$/;

/**
 * `argv` as a shell command for a comment: arguments quoted where the shell would need it, one
 * flag (with its value) per line, continued with a backslash and indented under `prefix`.
 */
export function commandLine(argv: readonly string[], prefix = "#     "): string {
  const quoted = argv.map((arg) => (SAFE_ARG.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`));
  const lines = ["switchyard-balancer"];
  for (const arg of quoted) {
    if (arg.startsWith("--") || lines.length === 1) lines.push(arg);
    else lines[lines.length - 1] = `${lines[lines.length - 1]} ${arg}`;
  }
  return lines.join(` \\\n${prefix}`);
}

/** The configuration text `command` asks for; `argv` is quoted in its header. */
export function renderPrint(command: PrintCommand, argv: readonly string[]): string {
  const plan = planRouter(resolveBalancerOptions(command.options), commandLine(argv));
  switch (command.format) {
    case "nginx":
      return nginxConfig(plan);
    case "haproxy":
      return haproxyConfig(plan);
    case "haproxy-map":
      return haproxyMap(plan);
    case "helm-values":
      return helmValues(plan);
    case "httproute": {
      let url: URL;
      try {
        url = new URL(command.newSessionsUrl ?? "");
      } catch {
        throw new InvalidArgumentError(`--new-sessions-url: invalid url ${command.newSessionsUrl}`);
      }
      const port = url.port === "" ? 80 : Number(url.port);
      return gatewayRoute(plan, serviceRef(url.hostname, port), command.routeName);
    }
  }
}
