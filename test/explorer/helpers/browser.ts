// Debian's Chromium (/usr/bin/chromium, never a downloaded build) driven by playwright-core, headless, in a
// fresh profile directory; screenshots go to .nex/screenshots/ (ignored) or to NEX_EXPLORER_SCREENSHOTS
// (`npm run screenshots` sets it to docs/img to refresh the README's pictures deliberately).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The screenshots README.md and docs/explorer.md show (`npm run screenshots` refreshes them). */
const DOC_SHOTS = new Set(['batch-fulfilled', 'market-open-batch']);

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export class Browser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
    readonly page: Page,
    readonly shotsDir: string,
  ) {}

  static async launch(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'nex-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const shotsDir = resolve(process.env.NEX_EXPLORER_SCREENSHOTS ?? '.nex/screenshots');
    mkdirSync(shotsDir, { recursive: true });
    return new Browser(context, profile, page, shotsDir);
  }

  /** Writes explorer-<name>.png; with NEX_EXPLORER_SCREENSHOTS set (docs/img), only the ones the docs show go there. */
  async screenshot(name: string): Promise<void> {
    const dir = process.env.NEX_EXPLORER_SCREENSHOTS && !DOC_SHOTS.has(name) ? resolve('.nex/screenshots') : this.shotsDir;
    mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: join(dir, `explorer-${name}.png`), fullPage: name !== 'batch-fulfilled' });
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
