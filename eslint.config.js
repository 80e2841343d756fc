// ESLint: typescript-eslint's recommended type-checked rules over the TypeScript sources and tests
// (npm run lint; .ci/run fails on a violation). The AssemblyScript kernels are checked by their
// own compiler (asc), the built output not at all.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'assembly/', 'runs/', '**/*.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
