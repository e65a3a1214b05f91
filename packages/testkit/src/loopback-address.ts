/**
 * The public address of a fleet's host N (from 1): 127.0.0.2 for the first, 127.0.0.3 for the
 * second, ... continuing into 127.0.1.x past 254 hosts. Linux answers on all of 127.0.0.0/8,
 * so each simulated host can have its own address without any setup. `net` moves the series
 * (`127.31.7` gives 127.31.7.2, ...), for fleets that run beside another one.
 */
export function loopbackAddress(index: number, net = '127.0.0'): string {
  const n = index + 1;
  if (!Number.isInteger(index) || index < 1 || n > 0xfffe)
    throw new RangeError(`bad host index ${index}`);
  const [a, b, c] = net.split('.').map(Number) as [number, number, number];
  const third = c + (n >> 8);
  if (a !== 127 || third > 255)
    throw new RangeError(`no loopback address for host ${index} in ${net}`);
  return `127.${b}.${third}.${n & 255}`;
}

/** A random series for a throwaway fleet: `127.X.Y` with X in 16..254 (clear of 127.0.0.x). */
export function randomLoopbackNet(): string {
  return `127.${16 + Math.floor(Math.random() * 239)}.${Math.floor(Math.random() * 200)}`;
}
