/**
 * libofmt output as dladm and ipadm print it. Human mode: a header of upper-case field names,
 * columns padded to fixed widths, empty values as `--`, the last column unpadded. Parsable
 * mode: `:`-joined values, `:` and `\` escaped with `\` only when several fields are printed,
 * empty values empty.
 */
export interface OfmtField {
  name: string;
  width: number;
}

export type FieldCheck = { fields: OfmtField[]; warnings: string[] } | { error: string };

/** Resolves `-o` against the known fields (case-insensitive); `all` = every field. */
export function selectFields(
  known: OfmtField[],
  spec: string | undefined,
  defaults: string[],
  parsable: boolean,
  program: string,
): FieldCheck {
  if (spec === undefined)
    return { fields: defaults.map((d) => known.find((k) => k.name === d)!), warnings: [] };
  const names = spec.split(',').map((s) => s.trim().toLowerCase());
  if (names.includes('all')) {
    if (parsable) return { error: `${program}: output field \`all' invalid in parsable mode` };
    return { fields: known, warnings: [] };
  }
  const fields: OfmtField[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const f = known.find((k) => k.name === name);
    if (f) fields.push(f);
    else if (parsable) return { error: `${program}: unknown output field: \`${name}'` };
    else warnings.push(`${program}: warning: ignoring unknown output field: \`${name}'`);
  }
  return { fields, warnings };
}

export function formatRows(
  fields: OfmtField[],
  rows: Array<Record<string, string>>,
  parsable: boolean,
): string {
  let out = '';
  if (parsable) {
    const escaped = fields.length > 1;
    for (const row of rows) {
      out += `${fields
        .map((f) => {
          const v = row[f.name] ?? '';
          return escaped ? v.replace(/[\\:]/g, '\\$&') : v;
        })
        .join(':')}\n`;
    }
    return out;
  }
  const line = (values: string[]) =>
    `${values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(fields[i]!.width - 1) + ' ')).join('')}\n`;
  // header reprinted every 24 rows when stdout is not a terminal (ws_row default)
  rows.forEach((row, i) => {
    if (i % 24 === 0) out += line(fields.map((f) => f.name.toUpperCase()));
    out += line(fields.map((f) => (row[f.name] ?? '') || '--'));
  });
  if (rows.length === 0) out += line(fields.map((f) => f.name.toUpperCase()));
  return out;
}
