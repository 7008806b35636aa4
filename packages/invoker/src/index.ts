// Public API of @cairn/invoker: every export is listed by name.
export { VERSION } from "./version.js";
