import { configDefaults, defineConfig } from "vitest/config";

// Tests that need a real Kafka broker form a project of their own: its global setup starts the broker, and
// vitest runs it only when one of those files is part of the run.
const kafkaTests = ["test/kafka/**/*.test.ts", "test/integration/**/*.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // Many tests spawn the CLI, a second or two each on a busy 2-core machine: generous, never a benchmark.
          testTimeout: 30_000,
          include: ["test/**/*.test.ts", "src/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...kafkaTests],
        },
      },
      {
        extends: true,
        test: {
          name: "kafka",
          include: kafkaTests,
          globalSetup: ["test/kafka/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
