// Lint rules for every package: type-checked typescript-eslint, no floating promises,
// type-only imports, no import cycles, and no console in libraries (apps and tests may print).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "**/src/gen/**", "**/.turbo/**", "**/*.config.*", "**/coverage/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
      },
    },
    plugins: { "import-x": importX },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-cycle": "error",
      "no-console": "error",
    },
  },
  {
    files: ["apps/**", "**/test/**", "**/bench/**", "bench/**", "**/scripts/**"],
    rules: {
      "no-console": "off",
    },
  },
);
