/**
 * dladm_parse_args (libdladm.c) for `-p prop=value[,value...][,prop=value]`: a `,` after a value
 * adds another value to the same property unless an `=` follows the next name. dladm appends a
 * `,` after every -p option, so several -p options join into one list. An empty name fails.
 */
export interface ParsedProp {
  name: string;
  values: string[];
}

export function parseLinkProps(text: string): ParsedProp[] | undefined {
  const out: ParsedProp[] = [];
  if (text === '') return out;
  let current: ParsedProp | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const match = c === '=' || c === ',';
    if (!match && i !== text.length - 1) continue;
    const token = match ? text.slice(start, i) : text.slice(start, i + 1);
    if (match && token === '') return undefined;
    if (current !== undefined && c !== '=') current.values.push(token);
    else {
      current = { name: token, values: [] };
      out.push(current);
      if (c === ',') current = undefined;
    }
    start = i + 1;
  }
  return out;
}

/** The -p options of one command line, joined the way dladm's strlcat loop joins them. */
export function joinPropOptions(values: string[] | undefined): string {
  return (values ?? []).map((v) => `${v},`).join('');
}
