// The dashboard's Content Security Policy, read as a browser reads the page (cspAudit.ts): the
// webview panel's page as dashboard.ts builds it, and the CLI's HTML reports as `dataset-lab
// compare --html` and `dataset-lab report` write them (dist/cli.js). Each rule is shown to
// catch a page that breaks it. The real editor's violations at run time: test/e2e/run.mjs.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dashboardPage, newNonce } from '../../../src/protocol/htmlPage';
import { examples, fixtures, runCli, tempDir } from '../helpers';
import { auditPage } from './cspAudit';

// What VS Code gives a webview: Webview.cspSource and asWebviewUri() URLs under it.
const ORIGIN = 'https://*.vscode-cdn.net';
const resource = (p: string) => `https://file%2B.vscode-resource.vscode-cdn.net/home/user/.vscode/extensions/dataset-lab/${p}`;
/** The webview panel's page, with the arguments src/extension/dashboard.ts passes. */
const webviewPage = (nonce = newNonce()) =>
  dashboardPage('Dataset Lab', nonce, {
    kind: 'webview',
    origin: ORIGIN,
    stylesheets: [resource('dist/codicons/codicon.css'), resource('media/dashboard.css')],
    script: resource('dist/webview.js'),
  });

const tmp = tempDir('dataset-lab-csp-');
after(tmp.cleanup);
/** The CLI's three reports: a comparison, a completed run and a cancelled run. */
const reports: Record<string, string> = {};

before(() => {
  const ws = join(tmp.path, 'ws');
  mkdirSync(join(ws, 'data'), { recursive: true });
  copyFileSync(fixtures('training', 'two-class-a.csv'), join(ws, 'data', 'a.csv'));
  copyFileSync(fixtures('training', 'two-class-b.csv'), join(ws, 'data', 'b.csv'));
  const compare = runCli(['compare', examples('weather', 'seattle.csv'), examples('weather', 'new-york.csv'), '--label', 'weather', '--html', join(tmp.path, 'compare.html')]);
  assert.equal(compare.code, 0, compare.stderr);
  reports.compare = readFileSync(join(tmp.path, 'compare.html'), 'utf8');
  const experiment = { version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'label' }, { name: 'b', path: 'data/b.csv', label: 'label' }], arms: ['separate', 'merged'], training: { epochs: 2 } };
  writeFileSync(join(ws, 'x.experiment.json'), JSON.stringify(experiment));
  const run = runCli(['run', 'x.experiment.json'], ws);
  assert.equal(run.code, 0, run.stderr);
  const runDir = join(ws, '.dataset-lab', 'runs', readdirSync(join(ws, '.dataset-lab', 'runs'))[0]);
  const report = runCli(['report', runDir, '-o', join(tmp.path, 'run.html')], ws);
  assert.equal(report.code, 0, report.stderr);
  reports.run = readFileSync(join(tmp.path, 'run.html'), 'utf8');
  // A run that never finished is rendered from its curves: another path through the page shell.
  writeFileSync(join(runDir, 'status.json'), JSON.stringify({ status: 'cancelled', epochsDone: 1 }));
  const partial = runCli(['report', runDir, '-o', join(tmp.path, 'cancelled.html')], ws);
  assert.equal(partial.code, 0, partial.stderr);
  reports.cancelled = readFileSync(join(tmp.path, 'cancelled.html'), 'utf8');
});

describe('the pages keep the policy', () => {
  test('the webview panel: nothing by default, files only from the webview origin, the one script by nonce', () => {
    const nonce = newNonce();
    const a = auditPage(webviewPage(nonce), { origin: ORIGIN });
    assert.deepEqual(a.problems, []);
    assert.equal(a.nonce, nonce);
    assert.deepEqual(Object.fromEntries(a.directives), {
      'default-src': ["'none'"],
      'img-src': [ORIGIN, 'data:'],
      'style-src': [ORIGIN, "'unsafe-inline'"],
      'font-src': [ORIGIN],
      'script-src': [`'nonce-${nonce}'`],
    });
    assert.deepEqual(a.scripts, [{ inline: false, src: resource('dist/webview.js'), nonce }]);
  });

  for (const name of ['compare', 'run', 'cancelled']) {
    test(`the CLI's ${name} report: nothing by default, nothing remote, the inlined bundle by nonce`, () => {
      const a = auditPage(reports[name]);
      assert.deepEqual(a.problems, []);
      assert.deepEqual(Object.fromEntries(a.directives), {
        'default-src': ["'none'"],
        'img-src': ['data:'],
        'style-src': ["'unsafe-inline'"],
        'script-src': [`'nonce-${a.nonce}'`],
        'font-src': ['data:'],
      });
      // One executable script (the dashboard bundle, inlined); the data is an inert JSON block.
      assert.equal(a.scripts.length, 1);
      assert.deepEqual([a.scripts[0].inline, a.scripts[0].nonce], [true, a.nonce]);
    });
  }

  test('every page and every report gets its own nonce', () => {
    const nonces = [auditPage(webviewPage()).nonce, auditPage(webviewPage()).nonce, ...Object.values(reports).map((html) => auditPage(html).nonce)];
    assert.equal(new Set(nonces).size, nonces.length, nonces.join(' '));
  });
});

describe('the audit catches each way a page can break the policy', () => {
  const html = () => reports.compare;
  const withPolicy = (f: (csp: string) => string) => html().replace(/(http-equiv="Content-Security-Policy" content=")([^"]*)/, (_, pre: string, csp: string) => pre + f(csp));
  const problems = (page: string, origin?: string) => auditPage(page, origin ? { origin } : {}).problems;
  const cases: [string, () => string, RegExp][] = [
    ['an inline script without the nonce', () => html().replace('</body>', '<script>alert(1)</script></body>'), /an inline <script> \("alert\(1\)"\) has no nonce/],
    ['a script with a wrong nonce', () => html().replace('</body>', '<script nonce="AAAAAAAAAAAAAAAAAAAAAAAA">1</script></body>'), /has nonce "A{24}", not the policy's/],
    ['a remote script', () => html().replace('</body>', '<script src="https://cdn.example.com/x.js"></script></body>'), /<script src="https:\/\/cdn\.example\.com\/x\.js">: loads from outside/],
    ['a remote image', () => html().replace('</body>', '<img src="http://example.com/p.png"></body>'), /<img src="http:\/\/example\.com\/p\.png">: loads from outside/],
    ['a protocol-relative stylesheet', () => html().replace('</head>', '<link rel="stylesheet" href="//example.com/s.css"></head>'), /protocol-relative/],
    ['an inline event handler', () => html().replace('<body class="static-report">', '<body class="static-report" onload="go()">'), /<body onload>: an inline event handler/],
    ['a javascript: link', () => html().replace('</body>', '<a href="javascript:go()">x</a></body>'), /a javascript: URL/],
    ["'unsafe-eval'", () => withPolicy((c) => c.replace("script-src 'nonce-", "script-src 'unsafe-eval' 'nonce-")), /script-src allows 'unsafe-eval'/],
    ["'unsafe-inline' for scripts", () => withPolicy((c) => c.replace("script-src 'nonce-", "script-src 'unsafe-inline' 'nonce-")), /script-src allows 'unsafe-inline'/],
    ['a default other than none', () => withPolicy((c) => c.replace("default-src 'none'", "default-src 'self'")), /default-src is "'self'"/],
    ['no default at all', () => withPolicy((c) => c.replace("default-src 'none'; ", '')), /default-src is missing/],
    ['a remote host in a directive', () => withPolicy((c) => `${c}; connect-src https://telemetry.example.com`), /connect-src allows https:\/\/telemetry\.example\.com, which is remote/],
    ['a scheme source', () => withPolicy((c) => c.replace('img-src data:', 'img-src data: https:')), /img-src allows https:, which is remote/],
    ['a short nonce', () => withPolicy((c) => c.replace(/'nonce-[^']+'/, "'nonce-abc'")), /the nonce "abc" is not base64/],
    ['the policy after a script', () => html().replace('<meta http-equiv="Content-Security-Policy"', '<script nonce="x">1</script><meta http-equiv="Content-Security-Policy"'), /the policy comes after <script>/],
    ['no policy', () => html().replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), /0 Content-Security-Policy meta elements/],
    ['a <base> element', () => html().replace('</head>', '<base href="https://example.com/"></head>'), /<base>: base-uri is not covered/],
  ];
  for (const [name, page, expected] of cases) {
    test(name, () => {
      const found = problems(page());
      assert.ok(found.some((p) => expected.test(p)), `${name}: ${JSON.stringify(found)}`);
    });
  }

  test("the webview's origin is allowed only to the webview page, and only that origin", () => {
    const page = webviewPage();
    assert.ok(problems(page).some((p) => /img-src allows https:\/\/\*\.vscode-cdn\.net, which is remote/.test(p)), 'without the origin every host is remote');
    const other = page.replace(resource('dist/webview.js'), 'https://evil.example.net/webview.js');
    assert.ok(problems(other, ORIGIN).some((p) => /<script src="https:\/\/evil\.example\.net\/webview\.js">: loads from outside/.test(p)));
    const lookalike = page.replace(resource('dist/webview.js'), 'https://vscode-cdn.net.example.com/webview.js');
    assert.ok(problems(lookalike, ORIGIN).some((p) => /loads from outside/.test(p)), 'a host that only starts like the origin');
  });
});
