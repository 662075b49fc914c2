/**
 * Kafka's key partitioning: the 32-bit murmur2 hash of the key's bytes as Kafka's Java client computes it
 * (`org.apache.kafka.common.utils.Utils.murmur2`, seed `0x9747b28c`), made positive by clearing the sign bit and
 * taken modulo the partition count. The Java client's default partitioner and kafkajs's `DefaultPartitioner`
 * both place keyed records this way, so the embedded bus puts a key in the partition Kafka would.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** The murmur2 hash of `data`, as a signed 32-bit integer (the value Java's `Utils.murmur2` returns). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The Java original falls through a switch on the remaining 1–3 bytes.
  const rest = length & 3;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which would map `-2^31` to itself). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner chooses for a key: murmur2 of its UTF-8 bytes. */
export function partitionForKey(key: string, partitions: number): number {
  return toPositive(murmur2(Buffer.from(key, "utf8"))) % partitions;
}
