// Our side of bench/gbm_speed.mjs: reads the shared binary matrix, then times what a fit costs
// in-process (wall and CPU time): binning every feature (the gbm model's binning: quantile bins from a 200,000-row
// subsample) and boosting with the shared learner (src/core/trees), as src/training/gbm.ts runs
// them, on one thread. Prints the training score so both sides can be checked to fit alike.
// Usage (bundled by bench/gbm_speed.mjs): node gbm-speed-entry.js X.f64 Y.f64 ROWS COLS regression|classification ITERATIONS
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { binNumeric, numericThresholds } from '../src/core/trees/binning';
import { fitBoosting, predictBoosting } from '../src/core/trees/histogramBoosting';

const [xFile, yFile, rowsArg, colsArg, task, itArg] = process.argv.slice(2);
const n = Number(rowsArg);
const d = Number(colsArg);
const yb = readFileSync(yFile);
const y = Float64Array.from(new Float64Array(yb.buffer, yb.byteOffset, n));
// Column-major, as a DataTable holds them: the row-major file is read in blocks of rows, so the
// process never holds a second copy of the matrix (scikit-learn's side holds one numpy array).
const columns = Array.from({ length: d }, () => new Float64Array(n));
{
  const blockRows = 65_536;
  const block = new Float64Array(blockRows * d);
  const bytes = new Uint8Array(block.buffer);
  const fd = openSync(xFile, 'r');
  for (let start = 0; start < n; start += blockRows) {
    const m = Math.min(blockRows, n - start);
    const want = m * d * 8;
    let got = 0;
    while (got < want) {
      const k = readSync(fd, bytes, got, want - got, start * d * 8 + got);
      if (k === 0) throw new Error(`${xFile}: ends before row ${start + m}`);
      got += k;
    }
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) columns[j][start + i] = block[i * d + j];
  }
  closeSync(fd);
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const bins = columns.map((c) => binNumeric(c, numericThresholds(c, undefined, 255, 200_000)));
const data = { columns: bins, categorical: bins.map(() => false), rows: n };
const model = fitBoosting(data, y, { loss: task === 'classification' ? 'logistic' : 'squared_error', iterations: Number(itArg), learningRate: 0.1, maxLeafNodes: 31, maxDepth: Infinity, minSamplesLeaf: 20, l2: 0 });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const [raw] = predictBoosting(model, data);
let score = 0;
if (task === 'classification') {
  for (let i = 0; i < n; i++) score += (raw[i] > 0 ? 1 : 0) === y[i] ? 1 : 0;
  score /= n;
} else {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  let ss = 0;
  let sr = 0;
  for (let i = 0; i < n; i++) {
    ss += (y[i] - mean) ** 2;
    sr += (y[i] - raw[i]) ** 2;
  }
  score = 1 - sr / ss;
}
process.stdout.write(`${JSON.stringify({ trainScore: score, iterations: model.iterationsRun })}\n`);
process.stderr.write(`fit_s=${seconds}\ncpu_s=${cpuSeconds}\n`);
