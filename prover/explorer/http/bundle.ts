/**
 * The page's assets: the Preact + Chart.js application (page/main.ts) bundled by esbuild in memory when the
 * explorer starts (about a second; no build step, no built file to keep fresh, nothing fetched at run
 * time: the page loads only what this server serves), the HTML shell and the stylesheet.
 */
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

export interface PageAssets {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

const PAGE_DIR = new URL('../page/', import.meta.url);

/** Bundles the page (minified ES2020 for any current browser). */
export async function buildPageAssets(): Promise<PageAssets> {
  const result = await build({
    entryPoints: [new URL('main.ts', PAGE_DIR).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no page bundle');
  const css = await readFile(new URL('style.css', PAGE_DIR), 'utf8');
  return { html: HTML, js, css };
}

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NEX explorer</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div id="app"><noscript>The NEX explorer needs JavaScript.</noscript></div>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;
