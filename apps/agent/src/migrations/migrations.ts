import type { ExportVolume } from '@apiary/protocol';
import type { AgentDeps } from '../deps.js';
import type { OperationRunner } from '../vms/operation-runner.js';
import { runExport } from './export-run.js';
import { ExportService } from './export-service.js';
import { runCommit } from './import-commit.js';
import { ImportService, type ImportServiceDeps } from './import-service.js';
import type { TransferFetch } from './transfer-client.js';
import { LiveReceives } from './volume-receive.js';

export interface Migrations {
  imports: ImportService;
  exports: ExportService;
}

export interface MigrationOptions {
  /** How an export reaches its target (tests wrap server-kit's trusted fetch). */
  makeFetch?: TransferFetch;
  /** A stream that moves no byte for this long is given up and resumed (default 2 min). */
  stallMs?: number;
  /** Resumes of one volume's stream before the export fails (default 5). */
  maxResumes?: number;
}

/**
 * Moving VMs between hosts, on this agent: both sides, and their operations registered with
 * the runner (`export` on a source VM, `import` for a VM arriving here).
 */
export function createMigrations(
  deps: Omit<ImportServiceDeps, 'live'> & Pick<AgentDeps, 'vms'> & { runner: OperationRunner },
  options: MigrationOptions = {},
): Migrations {
  const live = new Map<string, ExportVolume[]>();
  const imports = new ImportService({ ...deps, live: new LiveReceives() });
  const exports = new ExportService({ ...deps, live });
  const runDeps = {
    db: deps.db,
    exec: deps.exec,
    log: deps.log,
    live,
    stallMs: options.stallMs ?? 120_000,
    maxResumes: options.maxResumes ?? 5,
    ...(options.makeFetch ? { makeFetch: options.makeFetch } : {}),
  };
  deps.runner.handle('export', (op, vm, finish) =>
    runExport(runDeps, op, vm, deps.runner.context(vm), finish),
  );
  deps.runner.handle('import', (op, vm, finish) =>
    runCommit({ db: deps.db, finish }, op, vm, deps.runner.context(vm)),
  );
  return { imports, exports };
}
