import { normalizeCidr, normalizeHost, portNumber } from './addresses.js';

/**
 * ipnat(5) rules as the kernel stores and `ipnat -l` re-renders them: `map`, `bimap`, `rdr`
 * with addresses normalized (`0/32` -> `0.0.0.0/32`), numeric ports, and rdr's protocol made
 * explicit (`tcp` when omitted). Returns the normalized text or the token that broke parsing.
 */
export type RuleParse = { rule: string } | { errorToken: string };

const LINK = /^[A-Za-z][A-Za-z0-9_.]*\d+$/;

export function parseNatRule(line: string): RuleParse {
  const t = line.trim().split(/\s+/);
  let i = 0;
  const next = () => t[i++];
  const bad = (tok: string | undefined): RuleParse => ({ errorToken: tok ?? '\n' });
  const kind = next();
  if (kind !== 'map' && kind !== 'rdr' && kind !== 'bimap' && kind !== 'map-block')
    return bad(kind);
  const ifname = next();
  if (!ifname || !LINK.test(ifname)) return bad(ifname);
  if (kind === 'rdr') {
    const dst = next();
    const dstN = dst ? normalizeCidr(dst === 'any' ? '0/0' : dst) : undefined;
    if (!dstN) return bad(dst);
    let out = `rdr ${ifname} ${dstN}`;
    if (t[i] === 'port') {
      i++;
      const p = next();
      const range = p?.split('-') ?? [];
      const nums = range.map((x) => portNumber(x));
      if (!p || nums.some((n) => n === undefined) || nums.length > 2) return bad(p);
      out += ` port ${nums.join('-')}`;
    }
    if (next() !== '->') return bad(t[i - 1]);
    const inner = next();
    const innerN = inner ? inner.split(',').map((h) => normalizeHost(h)) : [];
    if (!inner || innerN.some((h) => h === undefined)) return bad(inner);
    out += ` -> ${innerN.join(',')}`;
    if (t[i] === 'port') {
      i++;
      const p = next();
      const n = p === undefined ? undefined : portNumber(p);
      if (n === undefined) return bad(p);
      out += ` port ${n}`;
    }
    const proto = t[i];
    if (proto === 'tcp' || proto === 'udp' || proto === 'tcp/udp' || proto === 'icmp') {
      i++;
      out += ` ${proto}`;
    } else out += ' tcp';
    while (i < t.length) {
      const opt = next()!;
      if (opt === 'round-robin' || opt === 'frag' || opt === 'sticky') out += ` ${opt}`;
      else return bad(opt);
    }
    return { rule: out };
  }
  const src = next();
  const srcN = src ? normalizeCidr(src) : undefined;
  if (!srcN) return bad(src);
  if (next() !== '->') return bad(t[i - 1]);
  const dst = next();
  const dstN = dst ? normalizeCidr(dst) : undefined;
  if (!dstN) return bad(dst);
  let out = `${kind} ${ifname} ${srcN} -> ${dstN}`;
  if (t[i] === 'portmap') {
    i++;
    const proto = next();
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'tcp/udp') return bad(proto);
    const range = next();
    if (range === 'auto') out += ` portmap ${proto} auto`;
    else {
      const m = range ? /^(\d+):(\d+)$/.exec(range) : null;
      if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) return bad(range);
      out += ` portmap ${proto} ${m[1]}:${m[2]}`;
    }
  }
  if (i < t.length) return bad(t[i]);
  return { rule: out };
}
