import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';

/** Every option of every command, with the description its help prints. */
function optionLines(command: Command, path = 'apiary'): Array<[string, string]> {
  const help = command.createHelp();
  const own = command.options.map(
    (o) => [`${path} ${o.flags}`, help.optionDescription(o)] as [string, string],
  );
  return own.concat(command.commands.flatMap((c) => optionLines(c, `${path} ${c.name()}`)));
}

describe('apiary help', () => {
  it('shows every default one way: a trailing "(default: x)", unquoted', () => {
    const lines = optionLines(buildProgram());
    const withDefaults = lines.filter(([, d]) => /default/i.test(d));
    expect(withDefaults.length).toBeGreaterThan(10);
    const offenders = withDefaults.filter(([, description]) => {
      const trailing = /\(default: [^"'][^()]*(?:\([^()]*\)[^()]*)*\)$/.exec(description);
      return trailing === null || /default/i.test(description.slice(0, trailing.index));
    });
    expect(offenders).toEqual([]);
  });

  it("states the schema's defaults for VM sizes and lifetime", () => {
    const lines = new Map(optionLines(buildProgram()));
    expect(lines.get('apiary envs create --cpu <n>')).toMatch(/\(default: 2\)$/);
    expect(lines.get('apiary envs create --lifetime <duration>')).toMatch(/\(default: 6h\)$/);
    expect(lines.get('apiary envs create --count <n>')).toMatch(/\(default: 1\)$/);
  });
});
