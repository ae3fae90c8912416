// The dashboard's page shell, byte for byte as the webview panel and the CLI's HTML report wrote
// it before they shared it, and its Content Security Policy: nothing by default, nothing remote,
// scripts only by nonce, never eval.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHtmlReport } from '../../../src/cli/htmlReport';
import { dashboardPage, escapeJsonForHtml, newNonce } from '../../../src/protocol/htmlPage';

const ORIGIN = 'https://*.vscode-cdn.net';
const res = (p: string) => `https://file%2B.vscode-resource.vscode-cdn.net/ext/${p}`;

test('the webview panel page', () => {
  const html = dashboardPage('Dataset Lab', 'N0nce+/x', {
    kind: 'webview',
    origin: ORIGIN,
    stylesheets: [res('dist/codicons/codicon.css'), res('media/dashboard.css')],
    script: res('dist/webview.js'),
  });
  assert.equal(
    html,
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${ORIGIN} data:; style-src ${ORIGIN} 'unsafe-inline'; font-src ${ORIGIN}; script-src 'nonce-N0nce+/x'">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${res('dist/codicons/codicon.css')}">
<link rel="stylesheet" href="${res('media/dashboard.css')}">
<title>Dataset Lab</title>
</head>
<body>
<div id="app" data-host="vscode"></div>
<script nonce="N0nce+/x" src="${res('dist/webview.js')}"></script>
</body>
</html>`,
  );
});

test('the self-contained report page: data embedded inert, the bundle inlined, the title escaped', () => {
  const data = { view: 'compare', name: 'a</script><!--&"\u2028', x: NaN, y: -Infinity, z: 1.5 };
  const html = dashboardPage('Dataset Lab: <a> & "b"', 'N', { kind: 'file', css: 'body{color:red}', script: 'var s="</script>";</SCRIPT', data });
  assert.equal(
    html,
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'nonce-N'; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Dataset Lab">
<title>Dataset Lab: &#60;a&#62; &#38; &#34;b&#34;</title>
<style>body{color:red}</style>
</head>
<body class="static-report">
<div id="app" data-host="static"></div>
<script type="application/json" id="dataset-lab-data">{"view":"compare","name":"a\\u003c/script\\u003e\\u003c!--\\u0026\\"\\u2028","x":null,"y":null,"z":1.5}</script>
<script nonce="N">var s="<\\/script>";<\\/SCRIPT</script>
</body>
</html>
`,
  );
  // The embedded block parses back to the data (NaN and Infinity as null, like JSON output everywhere).
  const block = /<script type="application\/json" id="dataset-lab-data">(.*)<\/script>/.exec(html)![1];
  assert.deepEqual(JSON.parse(block), { ...data, x: null, y: null });
});

test('escapeJsonForHtml leaves nothing that ends a script element or starts a comment', () => {
  const s = escapeJsonForHtml(JSON.stringify({ a: '</script><!-- -->&\u2028\u2029' }));
  assert.doesNotMatch(s, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(s), { a: '</script><!-- -->&\u2028\u2029' });
});

test('every page gets a fresh nonce, and the CLI report uses the shared shell with it', () => {
  const a = newNonce();
  assert.match(a, /^[A-Za-z0-9+/]{24}$/);
  assert.notEqual(a, newNonce());
  const html = renderHtmlReport({ kind: 'compare', report: { datasets: [{ name: 'x' }, { name: 'y' }] } as never }, { script: 'void 0', css: '' });
  const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
  assert.ok(nonce && html.includes(`<script nonce="${nonce}">void 0</script>`), 'the script carries the CSP nonce');
  assert.doesNotMatch(html, /unsafe-eval|https?:/);
  assert.ok(html.includes('<title>Dataset Lab: x vs y</title>'));
});
