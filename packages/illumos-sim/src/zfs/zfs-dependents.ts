import type { DatasetRecord, HostState } from '../core/state-types.js';
import { clonesOf, descendantsOf } from './zfs-model.js';

/**
 * The dependents zfs_iter_dependents() walks: the clones of every snapshot among `victims`,
 * each with everything below it (and their clones in turn), deepest first, as destroy and
 * rollback list and remove them.
 */
export function dependentClones(state: HostState, victims: DatasetRecord[]): DatasetRecord[] {
  const names = new Set(victims.map((v) => v.name));
  const out: DatasetRecord[] = [];
  for (const v of victims) {
    if (v.type !== 'snapshot') continue;
    for (const clone of clonesOf(state, v.name)) {
      if (names.has(clone.name)) continue;
      const group = [...descendantsOf(state, clone.name), clone];
      for (const g of [...dependentClones(state, group), ...group]) {
        if (!names.has(g.name)) {
          names.add(g.name);
          out.push(g);
        }
      }
    }
  }
  return out;
}
