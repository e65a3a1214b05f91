/**
 * Split a parsable illumos line on `:` not preceded by `\`, and un-escape `\:` and `\\`.
 * This is the libofmt rule (dladm, ipadm with several fields) and the zoneadm zonepath rule.
 */
export function splitEscaped(line: string, separator = ':'): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      current += line[i + 1];
      i++;
    } else if (c === separator) {
      fields.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  fields.push(current);
  return fields;
}
