// Limits and defaults of the admin API. Every bound carries its unit in its name (D5).

/** Admin API versions served (`/v2`…`/v4` and unprefixed); `/v1` answers 400 as on restate-server. */
export const adminApiVersionMin = 2;
export const adminApiVersionMax = 4;

/** Largest admin request body (registrations are small JSON documents). */
export const adminRequestBodyBytesMax = 1024 * 1024;

/** Largest discovery manifest read from a deployment. */
export const manifestBytesMax = 16 * 1024 * 1024;

/** A discovery call (connect + answer) that takes longer fails with a clear error. */
export const discoveryTimeoutMs = 10_000;

/** Registrations that may wait for the metadata lock at once; past it → 429. */
export const pendingRegistrationsMax = 64;

/** Largest number of deployments kept in the metadata (a bound on the file and the snapshot). */
export const deploymentsMax = 10_000;

/** Durations the admin shows for a service that does not set them: restate-server's defaults. */
export const defaultIdempotencyRetentionMs = 24 * 60 * 60 * 1000;
export const defaultJournalRetentionMs = 24 * 60 * 60 * 1000;
export const defaultWorkflowCompletionRetentionMs = 24 * 60 * 60 * 1000;

/** Name of the metadata file inside the metadata directory. */
export const metadataFileName = "schema.json";
/** Version of the metadata file format; bump it (and migrate) when the layout changes. */
export const metadataFormatVersion = 1;
