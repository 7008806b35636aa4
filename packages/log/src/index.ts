// Public API of @cairn/log: every export is listed by name.
export { VERSION } from "./version.js";
