// The whole machine's CPU use, from /proc/stat: every process on it (the server under test,
// PostgreSQL, the load generator, fake agents, and whatever else runs there). A rate can only
// go up while the machine has cores to spare; CPU per operation summed over all processes says
// what rate the machine could reach at most, and which goals two cores cannot meet.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
export const CLK_TCK =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
export const CORES = availableParallelism();

/** Busy and total clock ticks of all cores so far (the `cpu` line of proc(5)'s /proc/stat). */
export function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** CPU seconds the machine spent busy since `before`, and how many cores that was on average. */
export function machineUseSince(before) {
  const now = machineTicks();
  const busy = now.busy - before.busy;
  const total = now.total - before.total;
  return { busySeconds: busy / CLK_TCK, busyCores: total > 0 ? (busy / total) * CORES : 0 };
}

/**
 * One line for a measured operation: the machine's busy cores, its CPU per operation over all
 * processes, and the rate that CPU allows with every core busy doing nothing else.
 */
export function describeMachineUse(use, operations) {
  const perOp = use.busySeconds / operations;
  const ceiling = perOp > 0 ? CORES / perOp : Number.POSITIVE_INFINITY;
  return `machine ${use.busyCores.toFixed(2)} of ${CORES} cores busy; ${(perOp * 1e6).toFixed(0)} µs CPU per operation over all processes: at most ~${ceiling.toFixed(0)}/s on this machine`;
}

/** A process's own CPU times and those of its children it has waited for, from /proc/PID/stat. */
function statTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name: state, ppid, ... utime (14), stime (15), cutime (16), cstime (17).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  };
}

/** CPU seconds (user + system) one process has used so far. */
export function processSeconds(pid) {
  return statTicks(pid).own / CLK_TCK;
}

/**
 * CPU seconds a server and every process it started have used so far: a PostgreSQL
 * postmaster and its backends, living (read one by one) or gone (counted in the postmaster's
 * times of waited-for children). Only direct children are read: backends start no processes.
 */
export function processTreeSeconds(pid) {
  const root = statTicks(pid);
  let ticks = root.own + root.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      const child = statTicks(Number(entry));
      if (child.ppid === pid) ticks += child.own;
    } catch {
      // Gone since the listing: its times are in the postmaster's reaped ones now.
    }
  }
  return ticks / CLK_TCK;
}
