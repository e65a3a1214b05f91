import { startPostgres } from '@apiary/testkit';
import type { TestProject } from 'vitest/node';

/** One throwaway PostgreSQL cluster for a `APIARY_TEST_DB=postgres` run; none otherwise. */
export default async function setup(project: TestProject) {
  if (process.env.APIARY_TEST_DB !== 'postgres') {
    project.provide('apiaryTestPgUrl', undefined);
    return;
  }
  const cluster = await startPostgres();
  project.provide('apiaryTestPgUrl', cluster.url);
  return () => cluster.stop();
}
