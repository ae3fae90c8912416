// Text agreement with a peer: trains the text example (examples/text.experiment.json: SpamAssassin
// mail and State of the Union passages, a bag-of-embeddings encoder shared by both datasets) with
// our CLI for --seeds training seeds, and scikit-learn TF-IDF + logistic regression
// (bench/text_peer.py) on the identical split of each run (split.json). The quality bar (issue
// 12): the separate and multihead arms' per-dataset macro-F1 at most 3 points below the peer's.
// Prints a table (mean over seeds, min-max) and per-class F1; exits 1 when the bar is missed.
// Usage: node bench/text_agreement.mjs [--seeds N] [--experiment FILE]   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const seeds = Number(opt('--seeds', 3));
const experiment = opt('--experiment', 'examples/text.experiment.json');
const BAR = 0.03;
const doc = JSON.parse(readFileSync(experiment, 'utf8'));
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const ours = new Map();
const peer = new Map();
const perClass = new Map();
let seconds = 0;
for (let k = 0; k < seeds; k++) {
  const tmp = join(dirname(experiment), `.text-agreement-${k}.experiment.json`);
  writeFileSync(tmp, JSON.stringify({ ...doc, training: { ...(doc.training ?? {}), seed: (doc.training?.seed ?? 42) + k } }));
  try {
    const started = Date.now();
    const res = JSON.parse(execFileSync(process.execPath, ['dist/cli.js', 'run', tmp, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    seconds += (Date.now() - started) / 1000;
    const runDir = join(dirname(experiment), '.dataset-lab', 'runs', res.runId);
    const p = JSON.parse(execFileSync('/usr/bin/python3', ['bench/text_peer.py', runDir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    for (const arm of res.arms) {
      for (const [source, m] of Object.entries(arm.bySource)) {
        const key = `${arm.arm}\t${source}`;
        if (!ours.has(key)) ours.set(key, { arm: arm.arm, source, f1: [], acc: [] });
        ours.get(key).f1.push(m.macroF1);
        ours.get(key).acc.push(m.accuracy);
        for (const [c, v] of Object.entries(m.perClass)) {
          const ck = `${key}\t${c}`;
          if (!perClass.has(ck)) perClass.set(ck, { ours: [], peer: [] });
          perClass.get(ck).ours.push(v.f1);
        }
      }
    }
    for (const [source, m] of Object.entries(p)) {
      if (!peer.has(source)) peer.set(source, { f1: [], acc: [], vocabulary: m.vocabulary, test: m.test });
      peer.get(source).f1.push(m.macroF1);
      peer.get(source).acc.push(m.accuracy);
      for (const [c, v] of Object.entries(m.perClass)) for (const arm of res.arms.map((a) => a.arm)) perClass.get(`${arm}\t${source}\t${c}`)?.peer.push(v);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}
const f = (v) => v.toFixed(3);
const range = (a) => `${f(mean(a))} (${f(Math.min(...a))}-${f(Math.max(...a))})`;
console.log(`${experiment}: ${seeds} training seeds (same split), ${(seconds / seeds).toFixed(1)} s per run of every arm`);
console.log('| arm | dataset | test rows | ours macro-F1 | peer macro-F1 | diff | ours accuracy | peer accuracy | bar (>= peer - 0.03) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
let ok = true;
for (const o of ours.values()) {
  const p = peer.get(o.source);
  const diff = mean(o.f1) - mean(p.f1);
  const gated = o.arm === 'separate' || o.arm === 'multihead';
  const pass = diff >= -BAR;
  if (gated && !pass) ok = false;
  console.log(`| ${o.arm} | ${o.source} | ${p.test} | ${range(o.f1)} | ${range(p.f1)} | ${diff >= 0 ? '+' : ''}${f(diff)} | ${range(o.acc)} | ${range(p.acc)} | ${gated ? (pass ? 'met' : 'NOT MET') : '(not gated)'} |`);
}
console.log('\nPer-class F1 (mean over seeds):\n| arm | dataset | class | ours | peer |\n| --- | --- | --- | ---: | ---: |');
for (const [key, v] of perClass) {
  const [arm, source, c] = key.split('\t');
  console.log(`| ${arm} | ${source} | ${c} | ${f(mean(v.ours))} | ${v.peer.length ? f(mean(v.peer)) : '-'} |`);
}
process.exitCode = ok ? 0 : 1;
