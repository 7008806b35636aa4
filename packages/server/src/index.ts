// Public API of @cairn/server: every export is listed by name.
export { VERSION } from "./version.js";
