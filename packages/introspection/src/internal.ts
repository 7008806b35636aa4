// Test-only access to @cairn/introspection's parts (never re-exported from index.ts).
export { entryTypeLabel, registerFunctions, utf8OrNull } from "./functions.js";
export { encodeArrow, encodeJson } from "./result-format.js";
export { viewStatements, booleanColumns } from "./views.js";
export { expandCatalogStatement, toSqliteDialect } from "./sql-dialect.js";
