// Public API of @cairn/protocol: every export is listed by name.
export { VERSION } from "./version.js";
