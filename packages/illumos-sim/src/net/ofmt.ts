/**
 * libofmt (usr/src/lib/libofmt/common/ofmt.c) as dladm and ipadm use it.
 *
 * Opening: in parsable mode the caller must name the fields (`output fields must be specified
 * in parsable mode`, ``output field `all' invalid in parsable mode``); unknown names are fatal
 * in parsable mode and a warning otherwise (singular/plural wording), and a list with no valid
 * name at all is always fatal (`no valid output fields`). No field string (or `all` in human
 * mode) means every field of the template.
 *
 * Printing: parsable rows join values with `:`, escaping `:` and `\` with `\` only when more
 * than one field is printed. Human rows pad each field to its width (the width includes the
 * gap), a value that overflows pushes the next fields right and later short values give the
 * space back, the last field is unpadded and empty values print as `--`. The header is printed
 * by the first row (none for no rows) and again every 23 rows (a 24-line window, the header
 * counted twice). With wrap, comma lists are folded to the field width on extra lines.
 */
export interface OfmtField {
  name: string;
  width: number;
}

export type FieldCheck = { fields: OfmtField[]; warnings: string[] } | { error: string };

function quoted(names: string[]): string {
  return names.map((n) => ` \`${n}'`).join('');
}

/** ofmt_open + ofmt_check: `str` is exactly the field string the C caller passes (or none). */
export function openFields(
  known: OfmtField[],
  str: string | undefined,
  parsable: boolean,
  program: string,
): FieldCheck {
  if (parsable) {
    if (str === undefined || str === '')
      return { error: `${program}: output fields must be specified in parsable mode` };
    if (str.toLowerCase() === 'all')
      return { error: `${program}: output field \`all' invalid in parsable mode` };
  }
  if (str === undefined || str.toLowerCase() === 'all') return { fields: known, warnings: [] };
  const fields: OfmtField[] = [];
  const bad: string[] = [];
  for (const name of str.split(',').filter((s) => s !== '')) {
    const f = known.find((k) => k.name.toLowerCase() === name.toLowerCase());
    if (f) fields.push(f);
    else bad.push(name);
  }
  if (fields.length === 0) return { error: `${program}: no valid output fields` };
  if (bad.length === 0) return { fields, warnings: [] };
  const plural = bad.length > 1 ? 's' : '';
  if (parsable) return { error: `${program}: unknown output field${plural}:${quoted(bad)}` };
  return {
    fields,
    warnings: [`${program}: warning: ignoring unknown output field${plural}:${quoted(bad)}`],
  };
}

/**
 * For callers that choose their default fields themselves (ipadm): no `-o` means `defaults`,
 * except in parsable mode, where libofmt would get no field string.
 */
export function selectFields(
  known: OfmtField[],
  spec: string | undefined,
  defaults: string[],
  parsable: boolean,
  program: string,
): FieldCheck {
  if (spec === undefined && !parsable) return openFields(known, defaults.join(','), false, program);
  return openFields(known, spec, parsable, program);
}

/** One printed line in human mode, carrying libofmt's overflow between fields. */
function humanLine(fields: OfmtField[], values: string[]): string {
  let line = '';
  let overflow = 0;
  values.forEach((value, i) => {
    if (i === values.length - 1) {
      line += value;
      return;
    }
    let width = fields[i]!.width;
    if (value.length + overflow >= width) {
      overflow += value.length - width + 1;
      line += `${value} `;
      return;
    }
    if (overflow > 0) {
      const compress = Math.min(overflow, width - value.length);
      overflow -= compress;
      width -= compress;
    }
    line += value.padEnd(width);
  });
  return `${line}\n`;
}

/** ofmt_fit_width: the next comma-separated pieces of a value that fit the width. */
class Folder {
  private next = 0;
  private readonly pieces: string[] | undefined;
  constructor(value: string) {
    const pieces = value.split(',').filter((p) => p !== '');
    this.pieces = pieces.length > 0 && pieces.length <= 128 ? pieces : undefined;
  }
  take(width: number, whole: string): string {
    if (!this.pieces) return whole;
    let out = '';
    let i = this.next;
    for (; i < this.pieces.length; i++) {
      out += `${this.pieces[i]},`;
      const last = i + 1 === this.pieces.length;
      if (last) out = out.slice(0, -1);
      const nextLen = last ? 0 : this.pieces[i + 1]!.length;
      if (out.length + nextLen > width) {
        i++;
        break;
      }
    }
    this.next = i;
    return out;
  }
  get more(): boolean {
    return this.pieces !== undefined && this.next < this.pieces.length;
  }
}

export function formatRows(
  fields: OfmtField[],
  rows: Array<Record<string, string>>,
  parsable: boolean,
  wrap = false,
): string {
  let out = '';
  const cell = (row: Record<string, string>, f: OfmtField) =>
    row[f.name.toLowerCase()] ?? row[f.name] ?? '';
  if (parsable) {
    const escaped = fields.length > 1;
    for (const row of rows) {
      out += `${fields
        .map((f) => {
          const v = cell(row, f);
          return escaped ? v.replace(/[\\:]/g, '\\$&') : v;
        })
        .join(':')}\n`;
    }
    return out;
  }
  rows.forEach((row, i) => {
    if (i % 23 === 0)
      out += humanLine(
        fields,
        fields.map((f) => f.name.toUpperCase()),
      );
    const raw = fields.map((f) => cell(row, f));
    if (!wrap) {
      out += humanLine(
        fields,
        raw.map((v) => v || '--'),
      );
      return;
    }
    const folders = raw.map((v) => new Folder(v));
    out += humanLine(
      fields,
      raw.map((v, j) => folders[j]!.take(fields[j]!.width, v) || '--'),
    );
    while (folders.some((f) => f.more)) {
      out += humanLine(
        fields,
        folders.map((f, j) => (f.more ? f.take(fields[j]!.width, '') : '')),
      );
    }
  });
  return out;
}
