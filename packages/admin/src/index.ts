// Public API of @cairn/admin: every export is listed by name.
export { VERSION } from "./version.js";
