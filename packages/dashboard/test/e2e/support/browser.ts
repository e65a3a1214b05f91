import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's chromium, which `npm test` installs with apt (scripts/system-packages.mjs). Never
 * `playwright install`: it downloads a browser from outside the distribution.
 */
const CHROMIUM = process.env.APIARY_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests write their screenshots (gitignored). */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../test-artifacts/screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions thrown in the page: a test fails if any appear. */
  pageErrors: string[];
  shoot: (name: string, options?: { fullPage?: boolean }) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * Chromium told to accept exactly the certificate in `certFile` (the controller's self-signed
 * one), by the SHA-256 of its public key: the browser-side twin of an agent's pin. Nothing
 * else is accepted, so a test still fails on any other certificate error.
 */
function trustArgs(certFile: string | undefined): string[] {
  if (!certFile) return [];
  const key = new X509Certificate(readFileSync(certFile)).publicKey;
  const spki = createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  return [`--ignore-certificate-errors-spki-list=${spki}`];
}

export async function launchBrowser(
  baseUrl: string,
  options: { trustCertFile?: string } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (npm test does; or apt-get install chromium)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'apiary-chromium-'));
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      baseURL: baseUrl,
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...trustArgs(options.trustCertFile),
      ],
    })
    .catch((error: unknown) => {
      rmSync(profile, { recursive: true, force: true });
      throw error;
    });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    pageErrors,
    shoot: async (name, options = {}) => {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      // Finished transitions: a bar caught mid-animation would show the wrong width.
      await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
      return path;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
