// Public API of @cairn/testkit: every export is listed by name.
export { VERSION } from "./version.js";
