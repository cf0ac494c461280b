import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'dashboard/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Type-aware rules, with the root tsconfig.json (it includes src, test, migrations, bench).
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // A promise nobody awaits loses its error; `void` marks the deliberate ones.
      '@typescript-eslint/no-floating-promises': 'error',
      // A new union member (payment status, provider status) must be handled in every switch.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
);
