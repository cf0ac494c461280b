/** Unit specs sit next to the code; e2e specs start the app or talk to real services. */
// Transpile only (type checking is `npm run build`'s job): keeps the suite fast on 2 cores.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }];
// jose (under jwks-rsa) ships ES modules only: Node's require() loads them, jest's loader does
// not, so jest compiles them to CommonJS like our own files.
const esmOnly = {
  '^.+/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest, ...esmOnly },
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest, ...esmOnly },
      transformIgnorePatterns,
    },
  ],
};
