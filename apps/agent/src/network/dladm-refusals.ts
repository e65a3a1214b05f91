import { type RefusalTable, refusalReader } from '../host/command-refusals.js';

/*
 * dladm's refusals of an operator's request, as 4xx in dladm's words (dladm_status2str texts,
 * libdladm.c): a name taken, a lower link missing or busy, a VLAN id already on that link.
 */
const REFUSALS: RefusalTable = [
  ['object already exists', 'conflict'],
  ['MAC address is already in use', 'conflict'],
  ['link busy', 'conflict'],
  ['invalid link name', 'not_found'],
  ['object not found', 'not_found'],
  ['may not use default_tag ID', 'conflict'],
  ['invalid argument', 'validation'],
  ['operation failed', 'conflict'],
];

export const dladmRefusal = refusalReader(REFUSALS);
