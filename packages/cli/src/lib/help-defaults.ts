import type { Command } from 'commander';

/**
 * Help shows every default one way, `(default: 1h)`. Commander writes a default it holds as
 * JSON (`(default: "1h")`); defaults the CLI computes (`--cpu`: the schema's) are written into
 * the description in the same words, unquoted. This makes commander's own unquoted too.
 */
export function showDefaultsAlike(command: Command): void {
  for (const option of command.options) {
    if (option.defaultValue !== undefined && option.defaultValueDescription === undefined) {
      option.defaultValueDescription = String(option.defaultValue);
    }
  }
  for (const sub of command.commands) showDefaultsAlike(sub);
}
