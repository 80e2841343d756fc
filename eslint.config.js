// ESLint: typescript-eslint's recommended type-checked rules over the TypeScript sources and tests,
// and lines within Prettier's width (100) everywhere, comments included, which Prettier does not
// wrap; long strings may run over (npm run lint; .ci/run fails on a violation). The JavaScript
// scripts are type-checked by tsc (tsconfig.check.json); the AssemblyScript kernels by their own
// compiler (asc), their lines by scripts/format-assembly.js; the built output not at all.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** @type {import('eslint').Linter.RulesRecord} */
const lineWidth = {
  'max-len': [
    'error',
    {
      code: 100,
      ignoreStrings: true,
      ignoreTemplateLiterals: true,
      ignoreRegExpLiterals: true,
      ignoreUrls: true,
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'assembly/', 'runs/'] },
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  { files: ['**/*.ts', '**/*.js'], rules: lineWidth },
);
