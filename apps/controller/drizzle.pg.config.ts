import { defineConfig } from 'drizzle-kit';

// `pnpm exec drizzle-kit generate --config drizzle.pg.config.ts` after changing the schema.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg-schema.ts',
  out: './drizzle/pg',
});
