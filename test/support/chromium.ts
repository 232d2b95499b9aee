// The Debian chromium the browser suites drive through playwright-core, headless and offline.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Whether the browser suites skip: outside CI on a machine without chromium. Under CI they must
 * run (.ci/run installs chromium).
 */
export const noChromium: boolean = !existsSync(CHROMIUM) && !process.env["CI"];

/** Launches chromium; `timeout` bounds the launch (playwright's default otherwise). */
export function launchChromium(options: { timeout?: number } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, ...options });
}
