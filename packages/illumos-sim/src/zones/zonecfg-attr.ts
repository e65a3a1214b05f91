/**
 * What zonecfg's end_func() checks in an `attr` resource beyond its three required properties
 * (zonecfg.c: validate_attr_name, validate_attr_type_val; libzonecfg.c: zonecfg_get_attr_*):
 * the name starts alphanumeric and holds only alphanumerics, `-` and `.`; the type is one of
 * boolean, int, string, uint and the value reads as one. A string value must fit the
 * MAXNAMELEN (256) buffer validate_attr_type_val copies it into, so 256 bytes or more is
 * refused although the resource itself stores up to 2047.
 */
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export function attrNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9]/.test(name))
    return `Invalid attr name ${name}: must start with an alpha-numeric character.`;
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name))
    return `Invalid attr name ${name}: can only contain alpha-numeric characters, plus '-' and '.'.`;
  return undefined;
}

function validInt(value: string): boolean {
  // strtoll(): leading blanks and a sign, then digits to the end, within int64
  const m = /^\s*([+-]?)(\d+)$/.exec(value);
  if (!m) return false;
  const n = BigInt(m[2]!);
  return m[1] === '-' ? n <= INT64_MAX + 1n : n <= INT64_MAX;
}

function validUint(value: string): boolean {
  // strtoull() wraps negatives, so zonecfg_get_attr_uint() also rejects what strtoll reads < 0
  const m = /^\s*([+-]?)(\d+)$/.exec(value);
  if (!m) return false;
  const n = BigInt(m[2]!);
  return m[1] === '-' ? n === 0n : n <= UINT64_MAX;
}

export function attrValueProblem(type: string, value: string): string | undefined {
  const ok: Record<string, (v: string) => boolean> = {
    boolean: (v) => v === 'true' || v === 'false',
    int: validInt,
    string: (v) => Buffer.byteLength(v) < 256,
    uint: validUint,
  };
  const check = ok[type];
  if (!check) return `invalid attr type '${type}'`;
  return check(value) ? undefined : `invalid attr value for type=${type}`;
}
