import { describe, expect, it } from 'vitest';
import {
  formatByteAmount,
  formatByteRate,
  formatChartValue,
  formatCpus,
  formatShare,
} from '../../src/lib/usage-units.js';

describe('usage units', () => {
  it('writes byte rates in binary units with at most one decimal', () => {
    expect(formatByteRate(0)).toBe('0 B/s');
    expect(formatByteRate(123.456)).toBe('123 B/s');
    expect(formatByteRate(1536)).toBe('1.5 KiB/s');
    expect(formatByteRate(4 * 1024 * 1024)).toBe('4 MiB/s');
    expect(formatByteRate(150 * 1024 * 1024)).toBe('150 MiB/s');
    expect(formatByteAmount(64 * 1024 ** 3)).toBe('64 GiB');
  });

  it('writes shares as whole percents, and a trickle under 1% with a decimal', () => {
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(0.425)).toBe('43%');
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.004)).toBe('0.4%');
  });

  it('writes CPU time in CPUs, singular for exactly one', () => {
    expect(formatCpus(1.5)).toBe('1.5 CPUs');
    expect(formatCpus(1)).toBe('1 CPU');
    expect(formatCpus(0.254)).toBe('0.25 CPUs');
    expect(formatCpus(12.4)).toBe('12 CPUs');
  });

  it('writes a gap as a dash, never as zero', () => {
    expect(formatChartValue('byte-rate', null)).toBe('—');
    expect(formatChartValue('share', undefined)).toBe('—');
    expect(formatChartValue('cpus', 0)).toBe('0 CPUs');
  });
});
