// Lint: typescript-eslint's recommended rules over the program, policies, offline engine and
// tests; type-aware rules where types catch what a Pulumi program gets wrong (a promise nobody
// awaits, an Output in a template string); `any` and `require` only under a disable comment
// that says why.
import js from "@eslint/js";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".build/**", "out/**", "policies/node_modules/**", ".stryker-tmp/**", "reports/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    comments.recommended,
    {
        files: ["**/*.mjs"],
        languageOptions: { globals: { console: "readonly", process: "readonly" } },
    },
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
        },
    },
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-require-imports": "error",
            // A disable comment says why (`-- reason`), and names the rule it disables.
            "@eslint-community/eslint-comments/require-description": "error",
            "@eslint-community/eslint-comments/no-unlimited-disable": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // Pulumi components register children for their side effects.
            "no-new": "off",
            eqeqeq: ["error", "always"],
        },
    },
    {
        // Tests read the plan JSON and recorded provider inputs by path, untyped by nature.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
