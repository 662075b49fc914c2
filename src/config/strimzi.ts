/**
 * How the Strimzi resources of a build address the cluster (`"strimzi"` in evtc.json): the `strimzi.io/cluster`
 * label the Topic and User Operators select on, and how each team's `KafkaUser` authenticates.
 */

export const strimziAuthentications = ["tls", "tls-external", "scram-sha-512"] as const;

export type StrimziAuthentication = (typeof strimziAuthentications)[number];

export interface StrimziSettings {
  /** The name of the `Kafka` resource, which every generated resource's `strimzi.io/cluster` label names. */
  readonly cluster: string;
  readonly authentication: StrimziAuthentication;
}

/** Strimzi's own examples' cluster name, and client certificates issued by the User Operator. */
export const defaultStrimziSettings: StrimziSettings = { cluster: "my-cluster", authentication: "tls" };

/** A Kubernetes label value: at most 63 characters, alphanumerics with `-`, `_` and `.` inside. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value) && value !== "";
}
