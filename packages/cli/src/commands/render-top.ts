import { formatBytes } from '@apiary/protocol';
import { liveness } from '../lib/color.js';
import { table } from '../lib/output.js';
import type { HostTopRow, VmTopRow } from './top-rows.js';

const dash = '-';
const percent = (x: number | null) => (x === null ? dash : `${x.toFixed(1)}%`);
const rate = (x: number | null) => (x === null ? dash : `${formatBytes(Math.round(x))}/s`);
const bytes = (x: number | null) => (x === null ? dash : formatBytes(Math.round(x)));

/** Seconds since a sample, as `top` readers want it: how fresh the figures are. */
function age(at: string | null, now: number): string {
  if (!at) return dash;
  const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}

export function renderHostTop(rows: HostTopRow[], now = Date.now()): string {
  return table(
    ['HOSTNAME', 'LIVENESS', 'CPU USED', 'CPU RSVD', 'MEM USED', 'NET RX', 'NET TX', 'VMS', 'AGE'],
    rows.map((r) => [
      r.hostname,
      liveness(r.liveness),
      percent(r.cpu_percent),
      `${r.reserved.cpu}/${r.total.cpu}`,
      r.mem_used_bytes === null ? dash : `${bytes(r.mem_used_bytes)}/${bytes(r.mem_total_bytes)}`,
      rate(r.net_rx_bytes_per_s),
      rate(r.net_tx_bytes_per_s),
      r.vm_count,
      age(r.sampled_at, now),
    ]),
  );
}

export function renderVmTop(rows: VmTopRow[], now = Date.now()): string {
  const body = table(
    ['VM', 'HOST', 'VCPUS', 'CPU USED', 'CPU %', 'NET RX', 'NET TX', 'AGE'],
    rows.map((r) => [
      r.id,
      r.hostname ?? r.host_id ?? dash,
      r.vcpus,
      r.cpu_used === null ? dash : r.cpu_used.toFixed(2),
      percent(r.cpu_percent),
      rate(r.net_rx_bytes_per_s),
      rate(r.net_tx_bytes_per_s),
      r.error ? 'error' : age(r.sampled_at, now),
    ]),
  );
  const errors = rows.filter((r) => r.error).map((r) => `${r.id}: ${r.error}`);
  return errors.length === 0 ? body : `${body}\n\n${errors.join('\n')}`;
}

/** One line for a usage summary (a host's, or the fleet's): what is used, next to reserved. */
export function usageLine(
  u: {
    cpu_percent: number;
    mem_used_bytes: number;
    mem_total_bytes: number;
    net_rx_bytes_per_s: number | null;
    net_tx_bytes_per_s: number | null;
  } | null,
  at: string | null,
): string {
  if (!u) return 'no figures yet';
  return (
    `CPU ${percent(u.cpu_percent)} busy, memory ${bytes(u.mem_used_bytes)} of ` +
    `${bytes(u.mem_total_bytes)}, net ${rate(u.net_rx_bytes_per_s)} in, ` +
    `${rate(u.net_tx_bytes_per_s)} out${at ? ` (sampled ${at})` : ''}`
  );
}
