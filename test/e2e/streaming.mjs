#!/usr/bin/env node
// Streaming load on the dashboard bundle in Chromium: 5 minutes of training updates at 10 a
// second (3,000 messages, time-compressed), fed through the webview's real message channel.
// Checks that the DOM stays bounded and every curve draws at most ~2,000 points. Frame times
// are printed for information, never asserted.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../scripts/test-host/codeServer.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bundle = join(repo, 'dist', 'webview.js');
/**
 * The dashboard bundle alone in a bare page of `browser`, with the host bridge VS Code provides
 * (acquireVsCodeApi() + window messages), once it has said `ready`. `window.sent` collects what it
 * posts to the host; `errors` its uncaught errors.
 */
export async function openBareDashboard(browser, viewport) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(`<!DOCTYPE html><html><head><style>${readFileSync(join(repo, 'media', 'dashboard.css'), 'utf8')}</style></head><body><div id="app"></div></body></html>`);
  await page.evaluate(() => {
    window.sent = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m), getState: () => undefined, setState: () => {} });
  });
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  await page.waitForFunction(() => window.sent.some((m) => m.type === 'ready'));
  return { page, errors };
}

export async function streamingCheck({ messages = 3000, perFrame = 10 } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const { page, errors } = await openBareDashboard(browser, { width: 1300, height: 900 });
    const result = await page.evaluate(
      async ({ messages, perFrame }) => {
        const arms = ['separate/a', 'separate/b', 'merged', 'multihead'];
        const post = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
        const status = (i) => ({ runId: 'stress', name: 'stress', state: 'running', arms, arm: arms[i % 4], epoch: Math.floor(i / 10) + 1, epochs: 300, samplesPerSecond: 50000, etaSeconds: 300 - i / 10 });
        post({ type: 'snapshot', snapshot: { view: 'training', runs: [] } });
        post({ type: 'trainingStarted', status: status(0) });
        const nodeCounts = [];
        const frameTimes = [];
        const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
        let last = await frame();
        for (let i = 0; i < messages; i++) {
          // One message = a batch of points: batch loss for every arm, epoch metrics every 10th.
          const points = arms.map((arm, k) => ({ arm, metric: 'batch_loss', step: i / 10, value: 2 * Math.exp(-i / 800) + 0.05 * Math.sin(i + k) + 0.1 * k }));
          if (i % 10 === 9) for (const arm of arms) points.push({ arm, metric: 'loss', step: (i + 1) / 10, value: Math.exp(-i / 900) }, { arm, metric: 'val_loss', step: (i + 1) / 10, value: Math.exp(-i / 1000) + 0.05 });
          post({ type: 'trainingPoints', points, status: status(i) });
          if (i % perFrame === perFrame - 1) {
            const now = await frame();
            frameTimes.push(now - last);
            last = now;
          }
          if (i % 500 === 499) nodeCounts.push(document.getElementsByTagName('*').length);
        }
        await frame();
        await frame();
        const figures = [...document.querySelectorAll('figure.curve-chart')].map((f) => ({ metric: f.dataset.metric, drawn: Number(f.dataset.drawn), stored: Number(f.dataset.stored) }));
        frameTimes.sort((a, b) => a - b);
        return { nodeCounts, figures, medianFrameMs: frameTimes[Math.floor(frameTimes.length / 2)], p95FrameMs: frameTimes[Math.floor(frameTimes.length * 0.95)] };
      },
      { messages, perFrame },
    );
    assert.deepEqual(errors, []);
    console.log(`streaming: DOM nodes every 500 messages: ${result.nodeCounts.join(', ')}`);
    console.log(`streaming: frame time median ${result.medianFrameMs.toFixed(1)} ms, p95 ${result.p95FrameMs.toFixed(1)} ms (${perFrame} messages per frame)`);
    console.log(`streaming: ${result.figures.map((f) => `${f.metric} drew ${f.drawn} of ${f.stored}`).join('; ')}\n`);
    // Bounded DOM: the node count stops growing once every chart exists.
    const settled = result.nodeCounts.slice(1);
    assert.ok(Math.max(...settled) - Math.min(...settled) <= 10, `DOM grows: ${result.nodeCounts.join(', ')}`);
    assert.equal(result.figures.length, 3, 'one chart per metric');
    const batch = result.figures.find((f) => f.metric === 'batch_loss');
    assert.ok(batch.stored >= 4 * messages * 0.9, 'every batch point was received');
    for (const f of result.figures) assert.ok(f.drawn <= 2000, `${f.metric} draws ${f.drawn} points (limit 2,000)`);
    assert.ok(batch.drawn >= 1000, `downsampled, not dropped: ${batch.drawn}`);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(bundle)) {
    console.error('missing dist/webview.js: run "node esbuild.mjs" first');
    process.exit(2);
  }
  streamingCheck().then(
    () => console.log('streaming: passed'),
    (e) => {
      console.error(`streaming: FAILED: ${e instanceof Error ? e.stack : e}`);
      process.exitCode = 1;
    },
  );
}
