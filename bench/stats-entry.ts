// Statistics benchmark, our side: times each operation in-process on the samples written by
// bench/stats.mjs and prints one JSON object { op: [milliseconds of each repetition] }, the first
// repetition first (it includes compiling the code). Bundled by stats.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossValidatedDomainAuc } from '../src/core/domainClassifier';
import { pooledHistogram } from '../src/core/stats/binning';
import { chiSquaredHomogeneity } from '../src/core/stats/chi2';
import { jensenShannonDistance, psi } from '../src/core/stats/divergence';
import { ksTwoSample } from '../src/core/stats/ks';
import { wasserstein1 } from '../src/core/stats/wasserstein';

const dir = process.argv[2];
const reps = Number(process.argv[3] ?? 3);
const load = (name: string) => {
  const buf = readFileSync(join(dir, `${name}.f64`));
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
};
const big1 = load('big1');
const big2 = load('big2');
const e1 = load('exact1');
const e2 = load('exact2');
const e3 = load('exact3');
const counts = load('counts');
const dc = load('domain'); // 20000 rows x 12 features, row-major; first 10000 rows are side 0
const features = Array.from({ length: 12 }, (_, j) => Float64Array.from({ length: 20000 }, (_, i) => dc[i * 12 + j]));
const isOther = new Uint8Array(20000).fill(1, 10000);

const ops: Record<string, () => unknown> = {
  'ks 1M x 1M (asymp)': () => ksTwoSample(big1, big2),
  'wasserstein 1M x 1M': () => wasserstein1(big1, big2),
  'histogram+psi+js 1M x 1M': () => {
    const h = pooledHistogram(big1, big2, 30);
    return [psi(h.reference, h.other), jensenShannonDistance(h.reference, h.other)];
  },
  'ks exact 10000 x 9999, small D': () => ksTwoSample(e1, e2),
  'ks exact 10000 x 9999, large D': () => ksTwoSample(e1, e3),
  'chi2 2 x 200 categories': () => chiSquaredHomogeneity(counts.subarray(0, 200), counts.subarray(200, 400)),
  'domain classifier 2 x 10k x 12, 5-fold': () => crossValidatedDomainAuc(features, isOther, { seed: 1 }),
};
const out: Record<string, number[]> = {};
for (const [name, f] of Object.entries(ops)) {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  out[name] = times;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
