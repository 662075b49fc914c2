import { describe, expect, it } from "vitest";
import { resolveKafkaOptions } from "../../src/runtime/kafka.js";

describe("Kafka transport configuration", () => {
  it("reads brokers, client id, SASL, TLS and log level from the environment", () => {
    const options = resolveKafkaOptions({
      env: {
        KAFKA_BROKERS: " kafka-1:9093, kafka-2:9093 ,",
        KAFKA_CLIENT_ID: "billing",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "svc-billing",
        KAFKA_SASL_PASSWORD: "secret",
        KAFKA_TLS: "1",
        KAFKA_LOG_LEVEL: "info",
      },
    });
    expect(options).toMatchObject({
      brokers: ["kafka-1:9093", "kafka-2:9093"],
      clientId: "billing",
      sasl: { mechanism: "scram-sha-512", username: "svc-billing", password: "secret" },
      tls: true,
      logLevel: "info",
    });
  });

  it("prefers options to the environment, and has defaults for the rest", () => {
    const options = resolveKafkaOptions({
      brokers: ["localhost:9092"],
      sasl: { mechanism: "plain", username: "u", password: "p" },
      tls: false,
      env: { KAFKA_BROKERS: "elsewhere:9092", KAFKA_TLS: "1", KAFKA_SASL_MECHANISM: "bogus" },
    });
    expect(options).toMatchObject({
      brokers: ["localhost:9092"],
      clientId: "evtc",
      sasl: { mechanism: "plain" },
      tls: false,
      logLevel: "warn",
      lingerMs: 5,
      maxBatchRecords: 1000,
      deliveryTimeoutMs: 120_000,
    });
  });

  it("says what is missing or wrong", () => {
    expect(() => resolveKafkaOptions({ env: {} })).toThrow(/KAFKA_BROKERS/);
    expect(() => resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "gssapi" } })).toThrow(
      /unknown KAFKA_SASL_MECHANISM `gssapi`: use plain, scram-sha-256, scram-sha-512/,
    );
    expect(() => resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "plain" } })).toThrow(
      /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect(() => resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_LOG_LEVEL: "loud" } })).toThrow(
      /unknown KAFKA_LOG_LEVEL/,
    );
    expect(() => resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_TLS: "enabled" } })).toThrow(
      /unknown KAFKA_TLS `enabled`/,
    );
    expect(resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_TLS: "on" } }).tls).toBe(true);
    expect(resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_TLS: "off" } }).tls).toBe(false);
  });

  it("caps the replication of created topics from KAFKA_MAX_REPLICATION_FACTOR, and refuses a bad value", () => {
    expect(resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_MAX_REPLICATION_FACTOR: "1" } })).toMatchObject({
      maxReplicationFactor: 1,
    });
    expect(resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092" } }).maxReplicationFactor).toBeUndefined();
    expect(() => resolveKafkaOptions({ env: { KAFKA_BROKERS: "k:9092", KAFKA_MAX_REPLICATION_FACTOR: "0" } })).toThrow(
      "KAFKA_MAX_REPLICATION_FACTOR must be a whole number of at least 1, not `0`",
    );
  });
});
