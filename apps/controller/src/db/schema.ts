/*
 * The SQLite schema, for code not yet on the engine-neutral data layer (database.ts). New code
 * takes its tables from `Database.t`.
 */
export * from './sqlite-schema.js';
