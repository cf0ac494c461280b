/**
 * `npm run test:compose` (through test/compose/run.sh): the compose example end to end. Not part
 * of `npm test`: it needs a container engine and builds the image (minutes).
 */
const e2e = require('../../jest.config.js').projects.find((p) => p.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'compose',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/compose/**/*.check-spec.ts'],
  testTimeout: 120000,
};
