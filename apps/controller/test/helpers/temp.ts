// One implementation for every package's tests; see @apiary/testkit/test-temp.
export { onCleanup, tempDir } from '@apiary/testkit/test-temp';
