#!/usr/bin/env node
// The dashboard at fleet scale (issue 18): a real controller on a database seeded with 1,000
// hosts and 10,000 VMs (scripts/bench/lib/seed-fleet.mjs) serves the built dashboard to
// Debian's chromium (playwright-core, headless). Prints, next to the same figures for a small
// fleet in the same run (the baseline, 10 hosts):
//   * the fleet view's full render: from navigation (signed in) to the moment the grid holds
//     every host the page loaded (`data-matching`) and its first page of cards (`data-shown`,
//     120: src/views/fleet/fleet-view.tsx), split into the hosts' arrival and the render after;
//   * a live update: one host returned from maintenance through the API, until its card shows
//     it (the event stream, the hosts refetch, the render), and what the page changed for it:
//     HostCard renders (the dashboard's render probe) and DOM mutation records, of the changed
//     host's card and of every other card.
// Goals: full render < 1 s; a live update touches no card but the changed host's.
//
//   pnpm build && node scripts/bench/dashboard.mjs [--hosts 1000] [--vms 10000] [--baseline-hosts 10] [--rounds 5] [--profile] [--chromium /usr/bin/chromium]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBootstrap, startControllerProcess } from './lib/controller-process.mjs';
import { seedFleet } from './lib/seed-fleet.mjs';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    vms: { type: 'string', default: '10000' },
    'baseline-hosts': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    /** Debian's chromium, as the dashboard's browser tests use (never `playwright install`). */
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    /** Print where the browser's main thread spends the large fleet's last full render. */
    profile: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const root = new URL('../../', import.meta.url).pathname;
const CHROMIUM = values.chromium;
/** The fleet view shows at most this many hosts (its one `GET /v1/hosts?limit=1000`). */
const PAGE_LIMIT = 1000;

const embed = await import(join(root, 'apps/controller/dist/embed.js')).catch(() => {
  process.stderr.write('build first: pnpm build (the controller and the dashboard)\n');
  process.exit(1);
});
if (!existsSync(join(root, 'packages/dashboard/dist/index.html'))) {
  process.stderr.write('build the dashboard first: pnpm --filter @apiary/dashboard build\n');
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `${CHROMIUM} is missing: apt-get install chromium (or pass --chromium PATH)\n`,
  );
  process.exit(1);
}
const { chromium } = createRequire(join(root, 'packages/dashboard/package.json'))(
  'playwright-core',
);

/**
 * Migrates, bootstraps and seeds the database through the controller's own code. Every
 * heartbeat and usage sample is dated hours back, so "3h ago" labels hold still while we
 * measure (a label that ticks is a change, not noise), and the first `ROUNDS` hosts are put in
 * maintenance: each round returns one of them to service.
 */
async function prepare(dir, fleet) {
  const database = await embed.openDatabase(embed.parseDbTarget(`sqlite:${join(dir, 'c.db')}`));
  const core = await embed.createControllerCore({
    config: embed.defaultConfig({ dataDir: dir }),
    database,
    log: embed.createLogger({ level: 'error' }),
  });
  try {
    await embed.bootstrapIfEmpty(core.ctx, dir);
    await seedFleet(core, fleet);
    const { db, t } = core.ctx;
    const longAgo = Date.now() - 3 * 3600_000;
    const hosts = await db.select({ id: t.hosts.id, usage: t.hosts.usage }).from(t.hosts);
    const { eq } = createRequire(join(root, 'apps/controller/package.json'))('drizzle-orm');
    await db.transaction(async (tx) => {
      for (const [i, h] of hosts.entries()) {
        await tx
          .update(t.hosts)
          .set({
            lastHeartbeatAt: longAgo,
            usage: { ...h.usage, sampled_at: new Date(longAgo).toISOString() },
            policy: i < ROUNDS || i % 50 === 0 ? 'maintenance' : 'eligible',
          })
          .where(eq(t.hosts.id, h.id));
      }
    });
  } finally {
    await core.stop();
    await database.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Navigation to every host card in the page, `ROUNDS` times on a signed-in tab. */
async function fullRenders(page, profile) {
  const times = [];
  let cdp;
  for (let i = 0; i < ROUNDS; i++) {
    if (profile && i === ROUNDS - 1) {
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto('/');
    // Fully rendered: the grid knows every host the page loaded (`data-matching`) and shows
    // the cards of its first page (`data-shown`), each in the DOM. The init script notes the
    // first moment that holds, on the DOM mutation that made it so.
    await page.waitForFunction(() => window.__fleetRenderedAt !== undefined, null, {
      timeout: 60_000,
    });
    times.push(
      await page.evaluate(() => {
        const list = performance
          .getEntriesByType('resource')
          .find((e) => e.name.includes('/v1/hosts?'));
        return {
          total: window.__fleetRenderedAt,
          hostsAnswered: list?.responseEnd ?? Number.NaN,
          hostsRequest: list ? list.responseEnd - list.startTime : Number.NaN,
          shown: Number(
            document.querySelector('[data-testid=host-grid]')?.getAttribute('data-shown'),
          ),
        };
      }),
    );
  }
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
  return { times, nodes };
}

/** The functions with the most self time in a CPU profile (CDP Profiler), to stderr. */
function printProfile(profile) {
  const dt = profile.timeDeltas;
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 15);
  process.stderr.write(
    `profile, self time:\n${top.map(([k, v]) => `  ${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n')}\n`,
  );
}

/** Every DOM mutation from now on, with the host card it happened in (if any) and when. */
function watchMutations() {
  const seen = [];
  const observer = new MutationObserver((records) => {
    const at = Date.now();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const card = el?.closest('[data-testid=host-card]');
      seen.push({ at, host: card?.getAttribute('data-host-id') ?? null });
    }
  });
  observer.observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
  window.__benchMutations = { seen, stop: () => observer.disconnect() };
}

/** One host back from maintenance through the API: how long until its card says so, what changed. */
async function liveUpdate(page, base, token, hostId) {
  await page.evaluate(watchMutations);
  await page.evaluate(() => window.__apiaryRenders.clear());
  const started = Date.now();
  const res = await fetch(`${base}/v1/hosts/${hostId}/activate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`activate ${hostId}: ${res.status} ${await res.text()}`);
  await page.waitForFunction(
    (id) =>
      document
        .querySelector(`[data-host-id="${id}"] [data-testid=host-policy]`)
        ?.getAttribute('data-policy') === 'eligible',
    hostId,
    { polling: 'raf', timeout: 30_000 },
  );
  // Anything the same update still causes lands within this second.
  await new Promise((r) => setTimeout(r, 1000));
  const { seen, renders } = await page.evaluate(() => {
    window.__benchMutations.stop();
    return { seen: window.__benchMutations.seen, renders: [...window.__apiaryRenders] };
  });
  const ownKey = `HostCard:${hostId}`;
  const own = seen.filter((m) => m.host === hostId);
  const others = seen.filter((m) => m.host !== null && m.host !== hostId);
  return {
    ms: own.length > 0 ? own[0].at - started : Number.NaN,
    ownRenders: renders.filter(([k]) => k === ownKey).reduce((n, [, v]) => n + v, 0),
    otherRenders: renders.filter(([k]) => k !== ownKey).reduce((n, [, v]) => n + v, 0),
    ownRecords: own.length,
    otherRecords: others.length,
    otherCards: new Set(others.map((m) => m.host)).size,
    outsideCards: seen.filter((m) => m.host === null).length,
  };
}

async function measure(fleet, profile = false) {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-dashboard-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'apiary-bench-chromium-'));
  let controller;
  let context;
  try {
    await prepare(dir, fleet);
    const boot = readBootstrap(dir);
    controller = await startControllerProcess({
      dataDir: dir,
      db: `sqlite:${join(dir, 'c.db')}`,
      // No agents run: no host may be judged silent while we measure.
      flags: ['--restart-grace-ms', '3600000'],
    });
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      baseURL: controller.url,
      viewport: { width: 1440, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // The dashboard's render probe (src/lib/render-probe.ts) counts HostCard renders per host.
    await page.addInitScript(
      (cards) => {
        window.__apiaryRenders = new Map();
        const done = () => {
          const grid = document.querySelector('[data-testid=host-grid]');
          return (
            Number(grid?.getAttribute('data-matching')) === cards &&
            grid.querySelectorAll('[data-testid=host-card]').length ===
              Number(grid.getAttribute('data-shown'))
          );
        };
        new MutationObserver((_, observer) => {
          if (!done()) return;
          window.__fleetRenderedAt = performance.now();
          observer.disconnect();
        }).observe(document, { subtree: true, childList: true, attributes: true });
      },
      Math.min(fleet.hosts, PAGE_LIMIT),
    );
    await page.goto('/');
    await page.fill('#login-username', boot.adminUser);
    await page.fill('#login-password', boot.adminPassword);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=host-card]', { timeout: 60_000 });
    const cards = Math.min(fleet.hosts, PAGE_LIMIT);
    const render = await fullRenders(page, profile);
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=live-status]')?.getAttribute('data-live') === 'live',
      null,
      { timeout: 30_000 },
    );
    const updates = [];
    for (let i = 0; i < ROUNDS; i++) {
      const id = `host_seed${String(i).padStart(8, '0')}`;
      updates.push(await liveUpdate(page, controller.url, boot.adminApiKey, id));
    }
    const browser = (await page.evaluate(() => navigator.userAgent)).match(/Chrome\/[\d.]+/)?.[0];
    return { fleet, cards, render, updates, browser };
  } finally {
    await context?.close();
    await controller?.stop();
    rmSync(profileDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(title, r) {
  const total = r.render.times.map((x) => x.total);
  const answered = r.render.times.map((x) => x.hostsAnswered);
  const rendered = r.render.times.map((x) => x.total - x.hostsAnswered);
  const request = r.render.times.map((x) => x.hostsRequest);
  const u = r.updates;
  const sum = (f) => u.reduce((n, x) => n + f(x), 0);
  const ms = (xs) =>
    `median ${median(xs).toFixed(0).padStart(5)} ms   max ${Math.max(...xs)
      .toFixed(0)
      .padStart(5)} ms`;
  return [
    `${title}: ${r.fleet.hosts} hosts, ${r.fleet.vms} VMs (${r.cards} loaded, ${r.render.times[0].shown} cards shown, ${r.render.nodes} DOM elements)`,
    `  full render       ${ms(total)}   (navigation to every card in the page)`,
    `    hosts answered  ${ms(answered)}   (navigation to the end of GET /v1/hosts?limit=1000)`,
    `    of which        ${ms(request)}   (that request alone)`,
    `    then rendered   ${ms(rendered)}`,
    `  live update       ${ms(u.map((x) => x.ms))}   (API call to the card showing it)`,
    `    per update      HostCard renders: ${(sum((x) => x.ownRenders) / u.length).toFixed(1)} of the changed host, ${sum((x) => x.otherRenders)} of others over ${u.length} updates`,
    `                    DOM mutation records: ${(sum((x) => x.ownRecords) / u.length).toFixed(1)} in the changed card, ${sum((x) => x.otherRecords)} in other cards, ${(sum((x) => x.outsideCards) / u.length).toFixed(1)} outside cards (filter counts, summary)`,
  ];
}

const baseline = await measure({
  hosts: Number(values['baseline-hosts']),
  envs: Math.max(1, Math.round(Number(values['baseline-hosts']) * 3.3)),
  vms: Number(values['baseline-hosts']) * 10,
});
const large = await measure(
  {
    hosts: Number(values.hosts),
    envs: Math.max(1, Math.round(Number(values.vms) / 3)),
    vms: Number(values.vms),
  },
  values.profile,
);
const renderOk = median(large.render.times.map((x) => x.total)) < 1000;
const isolated = large.updates.every((x) => x.otherRecords === 0 && x.otherRenders === 0);
process.stdout.write(
  `${[
    `${large.browser} headless, ${ROUNDS} rounds each; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the end`,
    ...report('baseline', baseline),
    ...report('fleet', large),
    `goal full render < 1 s: ${renderOk ? 'met' : 'MISSED'}; goal live update touches only the changed card: ${isolated ? 'met' : 'MISSED'}`,
  ].join('\n')}\n`,
);
