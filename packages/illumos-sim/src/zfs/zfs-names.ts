/**
 * dataset_namecheck from libzfs: returns the reason a name is invalid (as zfs prints it after
 * `cannot create 'X': `), or undefined when it is valid for the wanted kind.
 */
export type NameKind = 'dataset' | 'snapshot' | 'any';

export function datasetNameProblem(name: string, kind: NameKind): string | undefined {
  if (name.length >= 256) return 'name is too long';
  if (name.startsWith('/')) return 'leading slash in name';
  if (name.endsWith('/')) return 'trailing slash in name';
  const ats = name.split('@').length - 1;
  if (ats + name.split('#').length - 1 > 1) return "multiple '@' and/or '#' delimiters in name";
  if (kind === 'dataset' && ats > 0) return "snapshot delimiter '@' is not expected here";
  if (kind === 'snapshot' && ats === 0) return "missing '@' delimiter in snapshot name";
  const [path, snap] = name.split('@') as [string, string | undefined];
  for (const component of path.split('/')) {
    if (component === '') return 'empty component in name';
    if (component === '.') return "self reference, '.' is found in name";
    if (component === '..') return "parent reference, '..' is found in name";
    const bad = [...component].find((c) => !/[A-Za-z0-9_.: -]/.test(c));
    if (bad !== undefined) return `invalid character '${bad}' in name`;
  }
  if (!/^[A-Za-z]/.test(path)) return 'pool must begin with a letter';
  if (snap !== undefined) {
    if (snap === '') return 'empty component in name';
    const bad = [...snap].find((c) => !/[A-Za-z0-9_.: -]/.test(c));
    if (bad !== undefined) return `invalid character '${bad}' in name`;
  }
  return undefined;
}
