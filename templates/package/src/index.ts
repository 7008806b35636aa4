// Public API of @cairn/__NAME__: every export is listed by name.
export { VERSION } from "./version.js";
