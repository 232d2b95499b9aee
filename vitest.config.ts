import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source through the "source" export condition,
// so a fresh clone runs the tests without building first.
const sourceConditions = { resolve: { conditions: ["source"] } };

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: sourceConditions,
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "types",
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ["packages/*/src/**/*.test-d.ts", "test/**/*.test-d.ts"],
            tsconfig: "tsconfig.test.json",
          },
        },
      },
    ],
  },
});
