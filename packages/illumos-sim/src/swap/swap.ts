import type { CommandHandler, CommandIo } from '../core/io.js';
import { nicenum } from '../core/sizes.js';
import { readState, updateState } from '../core/state-store.js';
import { lookupSwapTarget, swapExtent, ZFS_MAJOR } from './swap-devices.js';

/**
 * swap(8) (usr/src/cmd/swap/swap.c): -l lists swap areas, -s summarizes, -a adds, -d deletes.
 * Options are read in order and -d/-a consume their optional [low block] [nbr of blocks]
 * operands on the spot, as the C loop does. Failures of the swapctl(2) calls print the path
 * with strerror (perror) and exit 2; valid()'s checks exit with the errno value (EINVAL: 22).
 * The host is taken to have a dedicated dump device, so no dumpadm message is printed.
 */
const PROG = 'swap';
const USAGE =
  `Usage:\t${PROG} -l\n\tsub option :\n\t\t-h : displays size in human readable format\n\t\t-k : displays size in KB\n` +
  `\t${PROG} -s\n\tsub option :\n\t\t-h : displays size in human readable format rather than KB\n` +
  `\t${PROG} -d <file name> [low block]\n\t${PROG} -a <file name> [low block] [nbr of blocks]\n`;
const ERRNO = { ENOENT: 2, EINVAL: 22 };
const STRERROR = { ENOENT: 'No such file or directory', EINVAL: 'Invalid argument' };

class Usage extends Error {}

function strtol(text: string): number | undefined {
  return /^\s*[-+]?\d+$/.test(text) ? Number(text) : undefined;
}

async function add(io: CommandIo, path: string, low: number, count: number): Promise<number> {
  return updateState(io.root, (state) => {
    const target = lookupSwapTarget(state, io.hostRoot, path);
    if (target.kind === 'missing') {
      io.err(`${path}: ${STRERROR.ENOENT}\n`);
      return ERRNO.ENOENT;
    }
    const validFile = target.kind === 'file' && target.sticky;
    if (!(validFile || target.kind === 'block')) {
      io.err(
        `"${path}" is not valid for swapping.\nIt must be a block device or a regular file with the\n"save user text on execution" bit set.\n`,
      );
      return ERRNO.EINVAL;
    }
    if (target.kind === 'file') {
      const length = count * 512 === 0 ? target.size : count * 512;
      const offset = low * 512;
      if (target.size < length - offset || target.size === 0 || target.blocks < 8 || length < 0) {
        io.err(`${path}: size is invalid\n`);
        return ERRNO.EINVAL;
      }
      if (offset < 0) {
        io.err(`${path}: low block is invalid\n`);
        return ERRNO.EINVAL;
      }
      const need = Math.ceil(length / target.fsBlockSize) * (target.fsBlockSize / 512);
      if (need > target.blocks) {
        io.err(`"${path}" may contain holes - can't swap on it.\n`);
        return ERRNO.EINVAL;
      }
    }
    const extent = swapExtent(target.size, low, count);
    if (!extent) {
      io.err(`${path}: ${STRERROR.EINVAL}\n`);
      return 2;
    }
    state.swap ??= [];
    const entries = state.swap;
    const end = extent.startBlock + extent.pages * 8;
    const overlaps = entries.some(
      (e) =>
        e.path === path && extent.startBlock < e.startBlock + e.pages * 8 && end > e.startBlock,
    );
    if (overlaps) {
      io.err(`${path}: Overlapping swap files are not allowed\n`);
      return 2;
    }
    entries.push({
      path,
      ...(target.kind === 'block' ? { dataset: target.dataset } : {}),
      ...extent,
    });
    return 0;
  });
}

async function remove(io: CommandIo, path: string, low: number): Promise<number> {
  return updateState(io.root, (state) => {
    const start = Math.ceil(((low !== 0 ? low : 1) * 512) / 4096) * 8;
    const entries = state.swap ?? [];
    const at = entries.findIndex((e) => e.path === path && e.startBlock === start);
    if (at < 0) {
      const missing = lookupSwapTarget(state, io.hostRoot, path).kind === 'missing';
      io.err(`${path}: ${missing ? STRERROR.ENOENT : STRERROR.EINVAL}\n`);
      return 2;
    }
    entries.splice(at, 1);
    return 0;
  });
}

function list(io: CommandIo, human: boolean, kb: boolean): number {
  const state = readState(io.root);
  const entries = state.swap ?? [];
  if (entries.length === 0) {
    io.err('No swap devices configured\n');
    return 1;
  }
  io.out('swapfile             dev    swaplo   blocks     free\n');
  for (const e of entries) {
    const target = lookupSwapTarget(state, io.hostRoot, e.path);
    let line =
      target.kind === 'block'
        ? `${e.path.padEnd(19)} ${String(ZFS_MAJOR).padStart(2)},${String(target.minor).padEnd(2)}`
        : target.kind === 'missing'
          ? `${e.path.padEnd(20)} ?,? `
          : `${e.path.padEnd(20)}  -  `;
    const blocks = e.pages * 8;
    // nothing pages out in the simulator: every block stays free
    if (human)
      line += [e.startBlock, blocks, blocks]
        .map((b) => ` ${nicenum(b * 512).padStart(8)}`)
        .join('');
    else if (kb)
      line += [e.startBlock, blocks, blocks]
        .map((b) => ` ${String((b * 512) / 1024).padStart(7)}K`)
        .join('');
    else line += [e.startBlock, blocks, blocks].map((b) => ` ${String(b).padStart(8)}`).join('');
    io.out(`${line}\n`);
  }
  return 0;
}

/**
 * -s: anonymous memory. Nothing runs in the simulated host, so nothing is allocated or
 * reserved; available is the swap areas plus physical memory less swapfs_minfree (1/8).
 */
function summary(io: CommandIo, human: boolean): number {
  const state = readState(io.root);
  const swapPages = (state.swap ?? []).reduce((sum, e) => sum + e.pages, 0);
  const available = swapPages + state.physmemPages - Math.floor(state.physmemPages / 8);
  const k = (pages: number) => (pages * state.pagesize) / 1024;
  if (human) {
    const n = (pages: number) => nicenum(pages * state.pagesize);
    io.out(
      `total: ${n(0)} allocated + ${n(0)} reserved = ${n(0)} used, ${n(available)} available\n`,
    );
  } else {
    io.out(`total: 0k bytes allocated + 0k reserved = 0k used, ${k(available)}k available\n`);
  }
  return 0;
}

export const swap: CommandHandler = async (io, args) => {
  const L = 1;
  const D = 2;
  const A = 4;
  const S = 8;
  const P1 = 16;
  const P2 = 32;
  const H = 64;
  const K = 128;
  let flag = 0;
  let ret = 0;
  let addPath: string | undefined;
  let low = 0;
  let count = 0;
  try {
    if (args.length < 1) throw new Usage();
    let i = 0;
    outer: for (; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--') {
        i++;
        break;
      }
      if (!arg.startsWith('-') || arg === '-') break;
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        const bits: Record<string, number> = { l: L, s: S, h: H, k: K, 1: P1, 2: P2 };
        if (bits[c] !== undefined) {
          flag |= bits[c];
          continue;
        }
        if (c !== 'd' && c !== 'a') {
          io.err(`${PROG}: illegal option -- ${c}\n`);
          throw new Usage();
        }
        let optarg = arg.slice(j + 1);
        if (optarg === '') {
          if (i + 1 >= args.length) {
            io.err(`${PROG}: option requires an argument -- ${c}\n`);
            throw new Usage();
          }
          optarg = args[++i]!;
        }
        const rest = () => args.length - (i + 1);
        if (c === 'd') {
          if (rest() > 1 || flag !== 0) throw new Usage();
          flag |= D;
          let dlow = 0;
          if (rest() > 0) {
            const v = strtol(args[++i]!);
            if (v === undefined) {
              io.err('error in [low block]\n');
              return 1;
            }
            dlow = v;
          }
          ret = await remove(io, optarg, dlow);
        } else {
          if (rest() > 2 || (flag & ~(P1 | P2)) !== 0) throw new Usage();
          if (!optarg.startsWith('/')) {
            io.err(`${PROG}: path must be absolute\n`);
            return 1;
          }
          flag |= A;
          addPath = optarg;
          if (rest() > 0) {
            const v = strtol(args[++i]!);
            if (v === undefined) {
              io.err('error in [low block]\n');
              return 1;
            }
            low = v;
          }
          if (rest() > 0) {
            const v = strtol(args[++i]!);
            if (v === undefined) {
              io.err('error in [nbr of blocks]\n');
              return 1;
            }
            count = v;
          }
        }
        continue outer;
      }
    }
    if (flag & S) {
      if (flag & ~S & ~H) throw new Usage();
      ret = summary(io, (flag & H) !== 0);
    }
    if (flag & L) {
      if (flag & ~K & ~H & ~L) throw new Usage();
      ret = list(io, (flag & H) !== 0, (flag & K) !== 0);
    }
    if (flag & A && addPath !== undefined) ret = await add(io, addPath, low, count);
    if (!(flag & ~H & ~K)) throw new Usage();
    return ret;
  } catch (error) {
    if (!(error instanceof Usage)) throw error;
    io.err(USAGE);
    return 1;
  }
};
