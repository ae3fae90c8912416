// Embedding throughput of the pretrained text path on the text example (examples/text: 2,000
// SpamAssassin messages, 2,000 State of the Union passages): the real CLI (`dist/cli.js run`)
// trains the multihead arm for one epoch with "encoder": "pretrained", the embedding cache
// emptied before each run, and this bench reads the texts/s the run prints for each dataset
// (tokenizing with the model's tokenizer.json, ONNX Runtime's forward pass, mean pooling; the
// span from the model's first batch to its last). Two models: the tiny BERT test fixture
// (hidden 32, 2 layers) and a MiniLM-L6-shaped BERT made by scripts/make-tiny-bert.py (hidden
// 384, 6 layers, 12 heads, feed-forward 1536, random weights: the shape of
// sentence-transformers/all-MiniLM-L6-v2, which cannot be downloaded here). Peer: the same
// shape in PyTorch (bench/text_embed_peer.py: nn.TransformerEncoder in eval mode, mean pooling),
// on the same texts in the same batches, with our tokenizer's ids (bench/text-embed-ids-entry.ts)
// so its timed span leaves tokenizing out (which favours it); this machine's Python has no ONNX
// Runtime or tokenizers package. Ours runs on each ONNX Runtime of --runtimes in turn
// (DATASET_LAB_ONNX_RUNTIME: native = onnxruntime-node; wasm = the WebAssembly build bundled in
// dist/transformers-wasm.js, what an installed .vsix without node_modules uses), and the table
// gives WebAssembly / native. --rows N keeps the first N rows of each dataset (the WebAssembly
// runtime is slow enough on the MiniLM shape that all 4,000 texts take minutes per run).
// Usage: node bench/text_embed.mjs [--runs K] [--max-tokens N] [--runtimes native|wasm|native,wasm] [--rows N]   (after `npm run build`)
// WebAssembly against native, as in bench/RESULTS.md: --runtimes native,wasm --rows 400
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, loadAverage, median, option, PEER_ENV, printHeader, PYTHON, reported, runsList } from './measure.mjs';

const arg = (name, dflt) => Number(option(process.argv, `--${name}`, dflt));
const runs = arg('runs', 3);
const maxTokens = arg('max-tokens', 128);
// PyTorch's intra-op threads: its default on this machine is 1; with 2 on cores other work also
// uses, its OpenMP threads wait on each other (91.6 s against 5.8 s on the tiny model, 06:41 UTC).
const peerThreads = arg('peer-threads', 1);
// native alone by default (the WebAssembly runtime takes minutes per run on all 4,000 texts).
const runtimes = String(option(process.argv, '--runtimes', 'native')).split(',');
for (const rt of runtimes) if (rt !== 'native' && rt !== 'wasm') throw new Error(`--runtimes: ${rt} is not native or wasm`);
const rows = arg('rows', 0);
const work = 'bench/.tmp/text-embed';
const minilm = 'bench/.data/text/minilm-shaped';
if (!existsSync(join(minilm, 'onnx', 'model.onnx'))) {
  execFileSync(PYTHON, ['scripts/make-tiny-bert.py', minilm, '--corpus', 'examples/text/spam.csv', 'examples/text/sotu.csv', '--vocab', '8000', '--hidden', '384', '--layers', '6', '--heads', '12', '--intermediate', '1536', '--positions', '512'], { stdio: ['ignore', 'inherit', 'ignore'] });
}
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'models'), { recursive: true });
cpSync('examples/text', join(work, 'text'), { recursive: true });
if (rows > 0) {
  // The example's CSVs hold one row per line (no quoted line breaks), so the head is the first lines.
  for (const ds of ['spam', 'sotu']) {
    const lines = readFileSync(join(work, 'text', `${ds}.csv`), 'utf8').split('\n');
    writeFileSync(join(work, 'text', `${ds}.csv`), lines.slice(0, rows + 1).join('\n') + '\n');
  }
}
const models = { 'tiny BERT fixture (32 hidden, 2 layers)': 'test/fixtures/models/tiny-bert', 'MiniLM-L6-shaped (384 hidden, 6 layers)': minilm };
for (const [name, folder] of Object.entries(models)) cpSync(folder, join(work, 'models', name.split(' ')[0]), { recursive: true });

await esbuild.build({ entryPoints: ['bench/text-embed-ids-entry.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: 'bench/.tmp/text-embed-ids.js', logLevel: 'warning' });
const idsFile = (model, ds) => join(work, `${model}-${ds}-ids.json`);
for (const [name, folder] of Object.entries(models)) {
  for (const ds of ['spam', 'sotu']) execFileSync(process.execPath, ['bench/.tmp/text-embed-ids.js', join(folder, 'tokenizer.json'), join(work, 'text', `${ds}.csv`), 'text', String(maxTokens), idsFile(name.split(' ')[0], ds)]);
}

printHeader(benchHeader({ python: true }));
console.log(`peer: PyTorch ${execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim()}, ${peerThreads} intra-op thread(s) (--peer-threads; its default here is 1); ours: each runtime's default threads (onnxruntime-node: one per core, ${cpus().length}; ONNX Runtime Web in Node: min(4, ceil(cores / 2)))`);
console.log(`runtimes ${runtimes.join(', ')}; maxTokens ${maxTokens}, batchSize 32, ${rows > 0 ? `first ${rows} rows of each dataset` : 'all rows'}, ${runs} runs per model and runtime (alternated with the peer), embedding cache emptied before each\n`);
const emptyOurs = () => ({ spam: [], sotu: [], wall: [], runtime: '' });
const results = Object.fromEntries(Object.keys(models).map((n) => [n, { ours: Object.fromEntries(runtimes.map((rt) => [rt, emptyOurs()])), peer: { spam: [], sotu: [] } }]));
for (let r = 0; r < runs; r++) {
  for (const name of Object.keys(models)) {
    const file = join(work, `${name.split(' ')[0]}.experiment.json`);
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'embed',
        datasets: [
          { name: 'spam', path: 'text/spam.csv', label: 'label' },
          { name: 'sotu', path: 'text/sotu.csv', label: 'label' },
        ],
        features: ['text'],
        arms: ['multihead'],
        text: { encoder: 'pretrained', model: `models/${name.split(' ')[0]}`, maxTokens, batchSize: 32 },
        model: { type: 'mlp', hidden: [] },
        training: { epochs: 1 },
      }),
    );
    for (const rt of runtimes) {
      const ours = results[name].ours[rt];
      rmSync(join(work, '.dataset-lab'), { recursive: true, force: true });
      const started = process.hrtime.bigint();
      const p = spawnSync(process.execPath, ['dist/cli.js', 'run', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, DATASET_LAB_ONNX_RUNTIME: rt } });
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      if (p.status !== 0) throw new Error(`${name} (${rt}): ${p.stderr}`);
      for (const ds of ['spam', 'sotu']) {
        const m = new RegExp(`embedded ([\\d,]+) texts of ${ds}/text with [^:]+: ([\\d,.]+) texts/s on (.*)`).exec(p.stderr);
        if (!m) throw new Error(`${name} (${rt}): no embedding line for ${ds} in\n${p.stderr}`);
        ours[ds].push(Number(m[2].replace(/,/g, '')));
        ours.runtime = m[3];
      }
      ours.wall.push(wall);
    }
    for (const ds of ['spam', 'sotu']) {
      const peer = spawnSync(PEER_ENV[0], [...PEER_ENV.slice(1), PYTHON, 'bench/text_embed_peer.py', join(models[name], 'config.json'), idsFile(name.split(' ')[0], ds), '32', String(peerThreads)], { encoding: 'utf8' });
      if (peer.status !== 0) throw new Error(`peer ${name}: ${peer.stderr}`);
      results[name].peer[ds].push(reported(peer.stderr, 'texts_per_second'));
    }
    const ours = runtimes.map((rt) => `${rt} ${results[name].ours[rt].spam.at(-1)} / ${results[name].ours[rt].sotu.at(-1)}`).join(', ');
    console.log(`round ${r + 1}, ${name} (load ${loadAverage()}): ours ${ours} texts/s (spam / sotu), PyTorch ${results[name].peer.spam.at(-1).toFixed(0)} / ${results[name].peer.sotu.at(-1).toFixed(0)}`);
  }
}
for (const [name, r] of Object.entries(results)) for (const rt of runtimes) console.log(`${name}, ${rt}: ${r.ours[rt].runtime}`);
console.log('\n| model | dataset | runtime | ours texts/s, median | runs | PyTorch texts/s (forward only), median | runs | ours / peer |');
console.log('| --- | --- | --- | ---: | --- | ---: | --- | ---: |');
for (const [name, r] of Object.entries(results)) {
  for (const ds of ['spam', 'sotu']) {
    for (const rt of runtimes) {
      const o = r.ours[rt][ds];
      console.log(`| ${name} | ${ds} | ${rt} | ${median(o).toFixed(0)} | ${runsList(o, 0)} | ${median(r.peer[ds]).toFixed(0)} | ${runsList(r.peer[ds], 0)} | ${(median(o) / median(r.peer[ds])).toFixed(2)} |`);
    }
  }
}
if (runtimes.length === 2) {
  console.log('\n| model | dataset | WebAssembly / native, median of per-round ratios | every round |');
  console.log('| --- | --- | ---: | --- |');
  for (const [name, r] of Object.entries(results)) {
    for (const ds of ['spam', 'sotu']) {
      const ratios = r.ours.wasm[ds].map((w, i) => w / r.ours.native[ds][i]);
      console.log(`| ${name} | ${ds} | ${median(ratios).toFixed(3)} | ${runsList(ratios, 3)} |`);
    }
  }
}
console.log(`\nwhole CLI run (s), median: ${Object.entries(results).flatMap(([n, r]) => runtimes.map((rt) => `${n} ${rt} ${median(r.ours[rt].wall).toFixed(1)}`)).join('; ')}`);
