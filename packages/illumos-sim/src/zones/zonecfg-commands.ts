import { writeFileSync } from 'node:fs';
import { exportConfig, infoAll, infoGlobal, infoResource } from './zonecfg-format.js';
import type { LexedCommand, Token } from './zonecfg-lexer.js';
import { parseValue } from './zonecfg-lexer.js';
import { ALL_PROPS, matches, optsOf, parsePairs, syntaxError } from './zonecfg-parse.js';
import { RESOURCE_HANDLERS } from './zonecfg-resource-commands.js';
import {
  isGlobalProp,
  isResourceType,
  newTemplate,
  resourcePropAllowed,
  SHELP,
  setGlobal,
  verifyConfig,
  type ZonecfgSession,
  ZoneExit,
} from './zonecfg-session.js';

/** One handler per zonecfg subcommand, mirroring zonecfg.c's *_func(). */
export function runCommand(s: ZonecfgSession, cmd: LexedCommand): undefined {
  s.line = cmd.line;
  const [first, ...rest] = cmd.tokens;
  if (first?.kind !== 'word') return syntaxError(s, first);
  const handler = HANDLERS[first.text];
  if (!handler) return syntaxError(s, first);
  handler(s, rest);
}

const HANDLERS: Record<string, (s: ZonecfgSession, args: Token[]) => void> = {
  create(s, args) {
    const opts = optsOf(s, 'create', args, 'a:bFt:X');
    if (!opts) return;
    if (s.zone.startsWith('SUNW'))
      return s.error(`${s.zone}: zones beginning with SUNW are read-only.`);
    let template = 'SUNWdefault';
    if (opts.flags.has('b')) template = 'SUNWblank';
    const t = opts.values.get('t')?.at(-1);
    if (t !== undefined) template = /^[A-Z]/.test(t) ? t : `OMNI${t}`;
    if (opts.flags.has('a')) return s.error('invalid path to detached zone');
    const committed = s.zoneState();
    if (committed !== undefined) {
      if (committed !== 'configured') {
        return s.error(`Zone ${s.zone} already installed; create not allowed.`);
      }
      if (opts.flags.has('F')) s.stdout += `Zone ${s.zone} already exists; overwriting.\n`;
      else {
        s.zerr(
          'Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting.',
        );
        throw new ZoneExit(1);
      }
    }
    const config = newTemplate(s, template);
    if (!config) return s.error(`${template}: No such zone configured`);
    s.handle = config;
    s.scope = undefined;
    s.needToCommit = true;
  },
  delete(s, args) {
    const opts = optsOf(s, 'delete', args, 'F');
    if (!opts) return;
    if (!opts.flags.has('F')) {
      if (!s.requireHandle()) return;
      s.zerr('Input not from terminal and -F not specified:\ndelete command ignored, exiting.');
      throw new ZoneExit(1);
    }
    const index = s.state.zones.findIndex((z) => z.name === s.originalZone);
    if (index < 0) {
      s.error(`${s.zone}: No such zone configured`);
    } else {
      const z = s.state.zones[index]!;
      if (!['configured', 'incomplete', 'installed'].includes(z.state)) {
        s.error(`${s.zone}: Zone state is invalid for the requested operation`);
      } else s.state.zones.splice(index, 1);
    }
    s.handle = undefined;
    s.scope = undefined;
    s.needToCommit = false;
  },
  set(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    const name = args[0];
    if (name?.kind !== 'word' || args[1]?.kind !== '=' || !ALL_PROPS.has(name.text))
      return syntaxError(s, name ?? args[1]);
    const parsed = parseValue(args, 2);
    if (!parsed || parsed.next !== args.length) return syntaxError(s, args[parsed?.next ?? 2]);
    if (parsed.value.kind !== 'simple') return s.error('A simple value was expected here.');
    const value = parsed.value.value;
    if (!s.scope) {
      if (!isGlobalProp(name.text))
        return s.error('Cannot set a resource-specific property from the global scope.');
      const problem = setGlobal(s, config, name.text, value);
      if (problem) return s.error(problem);
      s.needToCommit = true;
      return;
    }
    if (!resourcePropAllowed(s.scope.type, name.text))
      return s.error(`${name.text}: No such property type`);
    // libzonecfg keeps attr values in a 2*BUFSIZ buffer and strlcpy()s into it: longer values
    // are cut silently (illumos-net.md section 5), which is why keys belong in files.
    s.scope.draft.props[name.text] =
      s.scope.type === 'attr' && name.text === 'value' ? truncateBytes(value, 2047) : value;
  },
  clear(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    const name = args[0]?.text ?? '';
    if (!s.scope) {
      if (!isGlobalProp(name) || name === 'zonename' || name === 'zonepath' || name === 'brand') {
        return s.error(`${name}: No such property type`);
      }
      delete config.props[name];
      if (name === 'autoboot') config.props.autoboot = 'false';
      s.needToCommit = true;
      return;
    }
    if (!resourcePropAllowed(s.scope.type, name)) return s.error(`${name}: No such property type`);
    delete s.scope.draft.props[name];
  },
  verify(s) {
    const config = s.requireHandle();
    if (!config) return;
    if (s.scope) return s.error('The verify command only makes sense in the global scope.');
    for (const e of verifyConfig(s.zone, config)) s.error(e);
  },
  commit(s) {
    if (s.scope) return s.error('The commit command only makes sense in the global scope.');
    commitConfig(s);
  },
  revert(s, args) {
    const opts = optsOf(s, 'revert', args, 'F');
    if (!opts) return;
    if (!opts.flags.has('F')) {
      s.zerr('Input not from terminal and -F not specified:\nrevert command ignored, exiting.');
      throw new ZoneExit(1);
    }
    const existing = s.state.zones.find((z) => z.name === s.zone);
    s.handle = existing ? structuredClone(existing.config) : undefined;
    s.scope = undefined;
    s.needToCommit = false;
  },
  export(s, args) {
    const opts = optsOf(s, 'export', args, 'f:');
    if (!opts) return;
    const config = s.requireHandle();
    if (!config) return;
    const text = exportConfig(config);
    const file = opts.values.get('f')?.at(-1);
    if (file === undefined) s.stdout += text;
    else {
      try {
        writeFileSync(file, text);
      } catch (error) {
        s.error(
          `opening file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (error as Error).message}`,
        );
      }
    }
  },
  info(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    if (s.scope && args.length === 0) {
      s.stdout += infoResource(s.scope.draft);
      return;
    }
    if (args.length === 0) {
      s.stdout += infoAll(s.zone, config);
      return;
    }
    const what = args[0]!.text;
    if (isGlobalProp(what) && args.length === 1) {
      s.stdout += infoGlobal(s.zone, config, what);
      return;
    }
    if (!isResourceType(what)) return syntaxError(s, args[0]);
    const pairs = parsePairs(s, args.slice(1));
    if (!pairs) return;
    const found = config.resources.filter((r) => r.type === what && matches(r, pairs));
    if (found.length === 0 && pairs.length > 0) {
      s.stdout += `No such ${what} resource.\n`;
      return;
    }
    for (const r of found) s.stdout += infoResource(r);
  },
  exit(s, args) {
    const opts = optsOf(s, 'exit', args, 'F');
    if (!opts) return;
    if (!s.scope || opts.flags.has('F')) {
      s.timeToExit = true;
      return;
    }
    s.zerr(
      'Resource incomplete, input not from terminal and -F not specified:\nexit command ignored, but exiting anyway.',
    );
    throw new ZoneExit(1);
  },
  help(s) {
    s.stdout += `${Object.values(SHELP).join('\n')}\n`;
  },
  ...RESOURCE_HANDLERS,
};

/** commit_func: verify, then write the configuration into the host state. */
export function commitConfig(s: ZonecfgSession): boolean {
  const config = s.handle;
  if (!config) {
    s.error(`${s.zone}: No such zone configured`);
    return false;
  }
  const errors = verifyConfig(s.zone, config);
  if (errors.length > 0) {
    for (const e of errors) s.error(e);
    return false;
  }
  const record = s.state.zones.find((z) => z.name === s.originalZone);
  if (record) {
    record.config = structuredClone(config);
    record.name = s.zone;
  } else
    s.state.zones.push({
      name: s.zone,
      config: structuredClone(config),
      state: 'configured',
      uuid: '',
    });
  s.needToCommit = false;
  return true;
}

function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max
    ? text
    : bytes
        .subarray(0, max)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
}
