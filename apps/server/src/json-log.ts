// Structured log lines of cairn-server: one JSON object per line on stdout,
//   {"time": RFC 3339, "level": "info", "msg": "...", ...fields}
// filtered by the configured level. The one logger of the project (@cairn/telemetry): the server
// library, its partition workers (which also drop lines below the level before posting them) and
// this binary all write through it.
export { jsonLogger } from "@cairn/telemetry";
