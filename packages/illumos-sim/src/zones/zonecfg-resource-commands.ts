import type { ResourceType } from '../core/state-types.js';
import type { PropValue, Token } from './zonecfg-lexer.js';
import { parseValue } from './zonecfg-lexer.js';
import { matches, parsePairs, syntaxError } from './zonecfg-parse.js';
import { isResourceType, SHELP, validateResource, type ZonecfgSession } from './zonecfg-session.js';

/** zonecfg's resource scope: add, select, remove, end, cancel and resource properties. */
export const RESOURCE_HANDLERS: Record<string, (s: ZonecfgSession, args: Token[]) => void> = {
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
