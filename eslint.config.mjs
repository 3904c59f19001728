// Lint: typescript-eslint's recommended rules over the program, policies, offline engine and tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".build/**", "out/**", "policies/node_modules/**", ".stryker-tmp/**", "reports/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.mjs"],
        languageOptions: { globals: { console: "readonly", process: "readonly" } },
    },
    {
        rules: {
            // The offline engine talks to the SDK's untyped internals (protobuf requests).
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // Pulumi components register children for their side effects.
            "no-new": "off",
            eqeqeq: ["error", "always"],
        },
    },
);
