// Tokenizing 100 MB of text: our word tokenizer of text features against scikit-learn's
// CountVectorizer (Debian's python3-sklearn) on the same documents, side by side, alternated,
// medians of --runs runs with every run listed (bench/measure.mjs; the peer without this
// machine's OpenBLAS overrides). Both sides tokenize, build the vocabulary and the document-term
// counts; timed in-process (file reading excluded) and as whole processes. The corpus is the
// text example's 4,000 documents (examples/text: SpamAssassin mail, State of the Union passages)
// repeated to 100 MB, each copy prefixed with its number so no two documents are equal.
// Usage: node bench/text_tokenize.mjs [--runs K] [--mb 100]
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, measureProcess, median, option, PEER_ENV, printHeader, PYTHON, reported, runsList } from './measure.mjs';

const arg = (name, dflt) => Number(option(process.argv, `--${name}`, dflt));
const runs = arg('runs', 3);
const mb = arg('mb', 100);
const dataDir = 'bench/.data/text';
mkdirSync(dataDir, { recursive: true });
const corpus = join(dataDir, `corpus-${mb}mb.txt`);
if (!existsSync(corpus)) {
  const texts = [];
  for (const f of ['examples/text/spam.csv', 'examples/text/sotu.csv']) {
    const lines = readFileSync(f, 'utf8').trimEnd().split('\n').slice(1);
    for (const line of lines) texts.push(line.replace(/,[^,]*$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
  }
  const parts = [];
  let size = 0;
  for (let copy = 0; size < mb * 1e6; copy++) {
    for (const t of texts) {
      const doc = `copy${copy} ${t}\n`;
      parts.push(doc);
      size += Buffer.byteLength(doc);
      if (size >= mb * 1e6) break;
    }
  }
  writeFileSync(corpus, parts.join(''));
}
await esbuild.build({ entryPoints: ['bench/text-tokenize-entry.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: 'bench/.tmp/text-tokenize.js', logLevel: 'warning' });

printHeader(benchHeader({ python: true }));
console.log(`corpus: ${corpus}, ${(statSync(corpus).size / 1e6).toFixed(1)} MB`);
const sides = {
  ours: ['node', 'bench/.tmp/text-tokenize.js', corpus],
  'sklearn (default pattern)': [...PEER_ENV, PYTHON, 'bench/text_tokenize_sklearn.py', corpus, 'default'],
  'sklearn (our pattern)': [...PEER_ENV, PYTHON, 'bench/text_tokenize_sklearn.py', corpus, 'ours'],
};
const results = Object.fromEntries(Object.keys(sides).map((k) => [k, { inner: [], wall: [], rss: [], detail: '' }]));
for (let r = 0; r < runs; r++) {
  for (const [name, argv] of Object.entries(sides)) {
    const m = measureProcess(argv, { tag: `text-tokenize-${r}` });
    results[name].inner.push(reported(m.stderr, 'seconds'));
    results[name].wall.push(m.wall);
    results[name].rss.push(m.rssMB);
    results[name].detail = m.stderr.trim();
  }
}
const ours = results.ours;
console.log('\n| side | tokenize + count (s), median | runs | whole process (s), median | runs | peak RSS (MB) | peer / ours (in-process) |');
console.log('| --- | ---: | --- | ---: | --- | ---: | ---: |');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${median(r.inner).toFixed(2)} | ${runsList(r.inner)} | ${median(r.wall).toFixed(2)} | ${runsList(r.wall)} | ${median(r.rss).toFixed(0)} | ${(median(r.inner) / median(ours.inner)).toFixed(2)}x |`);
}
for (const [name, r] of Object.entries(results)) console.log(`${name}: ${r.detail}`);
