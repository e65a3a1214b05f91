import { writeFileSync } from 'node:fs';
import { GetoptError, getopt } from '../core/getopt.js';
import type { ResourceType, ZoneResource } from '../core/state-types.js';
import {
  exportConfig,
  GLOBAL_ORDER,
  infoAll,
  infoGlobal,
  infoResource,
  RESOURCE_PROPS,
} from './zonecfg-format.js';
import type { LexedCommand, PropValue, Token } from './zonecfg-lexer.js';
import { parseValue } from './zonecfg-lexer.js';
import {
  isGlobalProp,
  isResourceType,
  newTemplate,
  resourcePropAllowed,
  SHELP,
  setGlobal,
  validateResource,
  verifyConfig,
  type ZonecfgSession,
  ZoneExit,
} from './zonecfg-session.js';

/** One handler per zonecfg subcommand, mirroring zonecfg.c's *_func(). */
const ALL_PROPS = new Set([
  ...GLOBAL_ORDER,
  ...Object.values(RESOURCE_PROPS).flat(),
  'options',
  'property',
  'value',
]);

function words(tokens: Token[]): string[] {
  return tokens.map((t) => t.text);
}

function syntaxError(s: ZonecfgSession, at: Token | undefined): undefined {
  s.error(at ? `syntax error at '${at.text}'` : 'syntax error at end of line');
}

/** `prop=value` pairs after a resource type (select/remove/info filters). */
function parsePairs(s: ZonecfgSession, tokens: Token[]): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  let k = 0;
  while (k < tokens.length) {
    const name = tokens[k];
    if (name?.kind !== 'word' || tokens[k + 1]?.kind !== '=') {
      syntaxError(s, name);
      return undefined;
    }
    const v = parseValue(tokens, k + 2);
    if (v?.value.kind !== 'simple') {
      s.error('A simple value was expected here.');
      return undefined;
    }
    pairs.push([name.text, v.value.value]);
    k = v.next;
  }
  return pairs;
}

function matches(r: ZoneResource, pairs: Array<[string, string]>): boolean {
  return pairs.every(([k, v]) => r.props[k] === v);
}

export function runCommand(s: ZonecfgSession, cmd: LexedCommand): undefined {
  s.line = cmd.line;
  const [first, ...rest] = cmd.tokens;
  if (first?.kind !== 'word') return syntaxError(s, first);
  const handler = HANDLERS[first.text];
  if (!handler) return syntaxError(s, first);
  handler(s, rest);
}

function optsOf(s: ZonecfgSession, name: string, args: Token[], spec: string) {
  try {
    const opts = getopt(words(args), spec);
    if (opts.operands.length > 0) {
      s.shortUsage(SHELP[name]!);
      return undefined;
    }
    return opts;
  } catch (error) {
    if (error instanceof GetoptError) {
      s.shortUsage(SHELP[name]!);
      return undefined;
    }
    throw error;
  }
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
    s.scope.draft.props[name.text] = value;
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

  add(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    if (!s.scope) {
      const type = args[0]?.text ?? '';
      if (args.length !== 1 || !isResourceType(type)) return syntaxError(s, args[0]);
      s.scope = { type, draft: { type, props: {} }, index: -1 };
      if (type === 'fs') s.scope.draft.options = [];
      return;
    }
    const prop = args[0]?.text ?? '';
    const parsed = parseValue(args, 1);
    if (!parsed) return syntaxError(s, args[1]);
    addProperty(s, prop, parsed.value);
  },

  remove(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    if (s.scope) {
      const prop = args[0]?.text ?? '';
      const parsed = parseValue(args, 1);
      if (!parsed) return syntaxError(s, args[1]);
      return removeProperty(s, prop, parsed.value);
    }
    let force = false;
    let k = 0;
    if (args[0]?.text === '-F') {
      force = true;
      k = 1;
    }
    const type = args[k]?.text ?? '';
    if (!isResourceType(type)) return syntaxError(s, args[k]);
    const pairs = parsePairs(s, args.slice(k + 1));
    if (!pairs) return;
    const same = config.resources.filter((r) => r.type === type);
    if (pairs.length > 0) {
      const victim = same.find((r) => matches(r, pairs));
      if (!victim) return s.error(`remove ${type}: No such resource with that id`);
      config.resources.splice(config.resources.indexOf(victim), 1);
    } else {
      if (same.length === 0) return s.error(`remove ${type}: No such entry`);
      if (same.length > 1 && !force) {
        return s.error(
          'There are multiple instances of this resource.  Either qualify the resource to\nremove a single instance or use the -F option to remove all instances.',
        );
      }
      config.resources = config.resources.filter((r) => r.type !== type);
    }
    s.needToCommit = true;
  },

  select(s, args) {
    const config = s.requireHandle();
    if (!config) return;
    if (s.scope) return s.error('The select command only makes sense in the global scope.');
    const type = args[0]?.text ?? '';
    if (!isResourceType(type)) return syntaxError(s, args[0]);
    const pairs = parsePairs(s, args.slice(1));
    if (!pairs) return;
    const found = config.resources.filter((r) => r.type === type && matches(r, pairs));
    if (found.length === 0) return s.error(`select ${type}: No such resource with that id`);
    if (found.length > 1) return s.error(`select ${type}: Insufficient specification`);
    s.scope = {
      type,
      draft: structuredClone(found[0]!),
      index: config.resources.indexOf(found[0]!),
    };
  },

  end(s, args) {
    if (!s.scope) return s.error('The end command only makes sense in the resource scope.');
    if (args.length > 0) return s.shortUsage(SHELP.end!);
    const config = s.handle!;
    const errors = validateResource(config, s.scope);
    if (errors.length > 0) {
      for (const e of errors) s.error(e);
      return;
    }
    if (s.scope.index >= 0) config.resources[s.scope.index] = s.scope.draft;
    else config.resources.push(s.scope.draft);
    s.scope = undefined;
    s.needToCommit = true;
  },

  cancel(s) {
    if (!s.scope) return s.error('The cancel command only makes sense in the resource scope.');
    s.scope = undefined;
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
};

function addProperty(s: ZonecfgSession, prop: string, value: PropValue): undefined {
  const scope = s.scope!;
  const type: ResourceType = scope.type;
  if (type === 'fs' && prop === 'options') {
    if (value.kind === 'complex') return s.error('A simple or list value was expected here.');
    const items =
      value.kind === 'simple'
        ? [value.value]
        : value.items.filter((i): i is string => typeof i === 'string');
    scope.draft.options = [...(scope.draft.options ?? []), ...items];
    return;
  }
  if ((type === 'net' || type === 'device') && prop === 'property') {
    if (value.kind !== 'complex') return s.error('A complex value was expected here.');
    const name = value.pairs.find(([k]) => k === 'name')?.[1];
    const v = value.pairs.find(([k]) => k === 'value')?.[1];
    if (name === undefined) s.zerr('name not specified');
    if (v === undefined) s.zerr('value not specified');
    if (name === undefined || v === undefined) {
      s.sawError = true;
      return;
    }
    scope.draft.property = [...(scope.draft.property ?? []), { name, value: v }];
    return;
  }
  if (type === 'rctl' && prop === 'value') {
    const list =
      value.kind === 'complex'
        ? [value.pairs]
        : value.kind === 'list'
          ? value.items.filter((i) => typeof i !== 'string')
          : [];
    if (list.length === 0) return s.error('A complex or list value was expected here.');
    for (const pairs of list as Array<Array<[string, string]>>) {
      const get = (k: string) => pairs.find(([n]) => n === k)?.[1];
      const priv = get('priv');
      const limit = get('limit');
      const action = get('action');
      if (!priv || !limit || !action) {
        for (const [k, v] of [
          ['priv', priv],
          ['limit', limit],
          ['action', action],
        ] as const)
          if (!v) s.zerr(`${k} not specified`);
        s.sawError = true;
        return;
      }
      scope.draft.value = [...(scope.draft.value ?? []), { priv, limit, action }];
    }
    return;
  }
  s.error(`${prop}: No such property type`);
}

function removeProperty(s: ZonecfgSession, prop: string, value: PropValue): undefined {
  const scope = s.scope!;
  if (scope.type === 'fs' && prop === 'options' && value.kind !== 'complex') {
    const items =
      value.kind === 'simple'
        ? [value.value]
        : value.items.filter((i): i is string => typeof i === 'string');
    for (const item of items) {
      const at = scope.draft.options?.indexOf(item) ?? -1;
      if (at < 0) return s.error(`options: No such property with that id`);
      scope.draft.options!.splice(at, 1);
    }
    return;
  }
  if (prop === 'property' && value.kind === 'complex') {
    const name = value.pairs.find(([k]) => k === 'name')?.[1];
    const at = scope.draft.property?.findIndex((p) => p.name === name) ?? -1;
    if (at < 0) return s.error('property: No such property with that id');
    scope.draft.property!.splice(at, 1);
    return;
  }
  s.error(`${prop}: No such property type`);
}

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
