// HTTP header names of the service protocol and discovery exchanges (RESTATE-PROTOCOL.md §1.1,
// §5.1, §9.3). Node lower-cases header names; so do these.

export const ServiceProtocolHeader = {
  /** Request: `inv_1…` of the invocation (the SDK only logs it). */
  invocationId: "x-restate-invocation-id",
  /** Request: URL-encoded virtual-object / workflow key (informational). */
  serviceKey: "x-restate-service-key",
  /** Response: the deployment's SDK, e.g. `restate-sdk-typescript/1.17.2`; recorded as its sdk_version. */
  server: "x-restate-server",
  /** Request identity: `v1` (signed) or `unsigned`. */
  signatureScheme: "x-restate-signature-scheme",
  /** Request identity: the EdDSA JWT of scheme v1. */
  jwtV1: "x-restate-jwt-v1",
  /** Default additional request header of restate-server. */
  clusterName: "x-restate-cluster-name",
} as const;
