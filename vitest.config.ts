import { defineConfig } from "vitest/config";

// Three layers, as the design asks: unit (no services), db and e2e (the local stack,
// started once by tests/setup/stack.ts for the whole run and stopped after it).
export default defineConfig({
  test: {
    // Stack tests share one stack and its database: files run one at a time.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "tests/contract/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "stack",
          include: ["tests/db/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/stack.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
