// One implementation for every package's tests; see packages/testkit/src/test-temp.ts.
export { onCleanup, tempDir } from '@apiary/testkit/test-temp';
