import { defineConfig } from 'drizzle-kit';

// `pnpm exec drizzle-kit generate --config drizzle.sqlite.config.ts` after changing the schema.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/sqlite-schema.ts',
  out: './drizzle/sqlite',
});
