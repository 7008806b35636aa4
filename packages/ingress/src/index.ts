// Public API of @cairn/ingress: every export is listed by name.
export { VERSION } from "./version.js";
