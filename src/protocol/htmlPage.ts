/**
 * The page that hosts the dashboard bundle (dist/webview.js), in its two homes: the VS Code
 * webview panel (src/extension/dashboard.ts; files loaded from the webview's own origin, data
 * over postMessage) and the self-contained HTML report of the CLI (src/cli/htmlReport.ts;
 * bundle and stylesheet inlined, data embedded as JSON). Both get the same strict Content
 * Security Policy: nothing by default, nothing from the network, and scripts only by nonce.
 * Runs in Node (the extension host and the CLI), never in the webview.
 */
import { randomBytes } from 'node:crypto';

export type PageAssets =
  /** A webview panel: stylesheets and script by URI from `origin` (Webview.cspSource). */
  | { readonly kind: 'webview'; readonly origin: string; readonly stylesheets: readonly string[]; readonly script: string }
  /** A file that needs nothing else: stylesheet and script inlined, `data` embedded for the static host (webview/host.ts). */
  | { readonly kind: 'file'; readonly css: string; readonly script: string; readonly data: unknown };

/** A fresh nonce for one page: 18 random bytes in base64, as CSP nonces are written. */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export function dashboardPage(title: string, nonce: string, assets: PageAssets): string {
  const lines = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(assets, nonce)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
  ];
  const titleTag = `<title>${escapeHtml(title)}</title>`;
  if (assets.kind === 'webview') {
    lines.push(...assets.stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`), titleTag, '</head>', '<body>');
    lines.push('<div id="app" data-host="vscode"></div>', `<script nonce="${nonce}" src="${escapeHtml(assets.script)}"></script>`);
  } else {
    lines.push('<meta name="generator" content="Dataset Lab">', titleTag, `<style>${assets.css}</style>`, '</head>', '<body class="static-report">');
    lines.push(
      '<div id="app" data-host="static"></div>',
      // A JSON block is never executed; the static host reads it by id.
      `<script type="application/json" id="dataset-lab-data">${escapeJsonForHtml(JSON.stringify(assets.data, jsonNumbers))}</script>`,
      // The bundle is inlined as-is; only a literal "</script" inside it (any case) would end the
      // element. "<\/" is "</" in JavaScript strings, regular expressions and templates alike.
      `<script nonce="${nonce}">${assets.script.replace(/<\/(script)/gi, '<\\/$1')}</script>`,
    );
  }
  lines.push('</body>', '</html>');
  // A file ends with a newline like any text file; a webview's html needs none.
  return lines.join('\n') + (assets.kind === 'file' ? '\n' : '');
}

/**
 * Chart libraries set inline styles on their SVG, hence 'unsafe-inline' for styles only;
 * scripts run only with the page's nonce. A file has no origin: its images and fonts are data: URIs.
 */
function contentSecurityPolicy(assets: PageAssets, nonce: string): string {
  const script = `script-src 'nonce-${nonce}'`;
  if (assets.kind === 'webview') {
    const o = assets.origin;
    return ["default-src 'none'", `img-src ${o} data:`, `style-src ${o} 'unsafe-inline'`, `font-src ${o}`, script].join('; ');
  }
  return ["default-src 'none'", 'img-src data:', "style-src 'unsafe-inline'", script, 'font-src data:'].join('; ');
}

/** JSON that is safe inside a <script> element: no "</script>", no "<!--", no U+2028/9. */
export function escapeJsonForHtml(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON has no NaN or Infinity: write them as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
