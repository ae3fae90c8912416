// Unit differences on real data (the bundled penguins and weather tables): a column converted to
// other units is found with its factor and named conversion, also when its name changed too (a
// suggested mapping); different climates, shifted values and unrelated columns are not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareDatasets } from '../../../../src/core/compare';
import { unitDifference } from '../../../../src/core/compare/unitDifferences';
import { parseCsvText, readCsvFile } from '../../../../src/core/ingest';
import { columnByName } from '../../../../src/core/table';
import { examples } from '../../helpers';

/** dream.csv with body mass in kilograms, under a new name. */
function convertedDream(): string {
  const [head, ...lines] = readFileSync(examples('penguins', 'dream.csv'), 'utf8').trim().split('\n');
  const names = head.split(',');
  const mass = names.indexOf('body_mass_g');
  const out = lines.map((l) => {
    const cells = l.split(',');
    if (cells[mass] !== '' && cells[mass] !== 'NA') cells[mass] = String(Number(cells[mass]) / 1000);
    return cells.join(',');
  });
  names[mass] = 'body_mass_kg';
  return [names.join(','), ...out].join('\n') + '\n';
}

test('grams against kilograms across two islands: found from the medians, through a suggested mapping', async () => {
  const biscoe = await readCsvFile(examples('penguins', 'biscoe.csv'));
  const dream = parseCsvText(convertedDream(), 'dream-converted.csv');
  const report = compareDatasets([biscoe, dream], { labels: ['species', 'species'], skipDomainClassifier: true });
  const units = report.comparisons[0].unitDifferences ?? [];
  assert.equal(units.length, 1, JSON.stringify(units));
  const [mass] = units;
  assert.deepEqual([mass.reference, mass.other, mass.factor], ['body_mass_g', 'body_mass_kg', 1 / 1000]);
  // Biscoe's penguins are heavier (Gentoo): the medians differ by more than the unit alone.
  assert.ok(Math.abs(mass.measured * 1000 - 0.77) < 0.01, String(mass.measured));
  assert.equal(mass.conversion, 'g -> kg');
  const plain = compareDatasets([biscoe, await readCsvFile(examples('penguins', 'dream.csv'))], { labels: ['species', 'species'], skipDomainClassifier: true });
  assert.equal(plain.comparisons[0].unitDifferences, undefined, 'the same units on both islands');
});

test('different climates, a shift and unrelated columns are not unit differences', async () => {
  const sea = await readCsvFile(examples('weather', 'seattle.csv'));
  const nyc = await readCsvFile(examples('weather', 'new-york.csv'));
  const report = compareDatasets([sea, nyc], { labels: ['weather', 'weather'], skipDomainClassifier: true });
  assert.equal(report.comparisons[0].unitDifferences, undefined, 'New York is windier than Seattle (x1.44..1.71 across quantiles), not in other units');
  const tmax = columnByName(sea, 'temp_max');
  assert.ok(tmax && tmax.type === 'numeric');
  const shifted = { ...tmax, values: tmax.values.map((v) => v + 40) };
  assert.equal(unitDifference(tmax, shifted), undefined, 'a constant shift is not a factor');
  const fahrenheit = { ...tmax, values: tmax.values.map((v) => v * 1.8 + 32) };
  assert.equal(unitDifference(tmax, fahrenheit), undefined, 'Celsius to Fahrenheit is a factor and a shift: no constant factor');
  const scaled = unitDifference(tmax, { ...tmax, values: tmax.values.map((v) => v * 1.8) });
  assert.equal(scaled?.factor, 1.8, 'a pure factor of 1.8 (all quantiles agree) is one');
  const wind = columnByName(sea, 'wind');
  assert.ok(wind && wind.type === 'numeric');
  const kmh = unitDifference(wind, { ...wind, values: wind.values.map((v) => v * 3.6) });
  assert.equal(kmh?.factor, 3.6);
  assert.equal(kmh?.conversion, 'm/s -> km/h');
});
