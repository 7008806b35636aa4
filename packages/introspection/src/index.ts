// Public API of @cairn/introspection: every export is listed by name.
export { QueryEngine } from "./query-engine.js";
export type { QueryAnswer, QueryEngineOptions } from "./query-engine.js";
export { negotiateFormat, contentTypes } from "./result-format.js";
export type { AnswerFormat } from "./result-format.js";
export { introspectionTables } from "./views.js";
export type { DeploymentRow, MetadataRows, ServiceRow } from "./views.js";
export {
  IntrospectionError,
  QueryInvalidError,
  QueryTooLargeError,
  QueryFormatNotAcceptableError,
  QueryTimeoutError,
  QueryOverloadedError,
  QueryUnavailableError,
  QueryInternalError,
  introspectionErrorFromWire,
} from "./errors.js";
export {
  queryRowsMaxDefault,
  queryTimeoutMsDefault,
  queryResultBytesMax,
  queryTextBytesMax,
  queryQueueMax,
  queryProcessStartTimeoutMs,
  attachedPartitionsMax,
} from "./constants.js";
