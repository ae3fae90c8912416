// Writes the benchmark CSV: ROWS rows x 12 columns (8 numeric, 4 categorical), some cells
// missing, deterministic (seeded). Usage: node bench/ingest-generate.mjs OUT [ROWS]
import { createWriteStream } from 'node:fs';

export async function generateBenchCsv(path, rows = 1_000_000, seed = 42) {
  let s = seed >>> 0;
  const rand = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const weather = ['sun', 'rain', 'drizzle', 'snow', 'fog'];
  const cities = Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? `"Town ${i}, North"` : `city_name_${String(i).padStart(2, '0')}`));
  const out = createWriteStream(path);
  out.write('temp,humidity,pressure,wind,precip,score,count,ratio,weather,city,station,flag\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const miss = (p) => rand() < p;
    const temp = miss(0.01) ? '' : (rand() * 50 - 10).toFixed(2);
    const humidity = miss(0.02) ? 'NA' : (rand() * 100).toFixed(1);
    const pressure = (980 + rand() * 60).toFixed(3);
    const wind = (rand() * 20).toFixed(4);
    const precip = miss(0.05) ? '' : (rand() < 0.6 ? '0' : (rand() * 30).toFixed(1));
    const score = (rand() * 2 - 1).toFixed(8);
    const count = String(Math.floor(rand() * 10000));
    const ratio = rand() < 0.001 ? (rand() * 1e-5).toExponential(3) : rand().toFixed(6);
    const w = weather[Math.floor(rand() * weather.length)];
    const city = miss(0.01) ? '' : cities[Math.floor(rand() * cities.length)];
    const station = `station_${Math.floor(rand() * 2000)}`;
    const flag = rand() < 0.5 ? 'yes' : 'no';
    chunk += `${temp},${humidity},${pressure},${wind},${precip},${score},${count},${ratio},${w},${city},${station},${flag}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, rows] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node bench/ingest-generate.mjs OUT [ROWS]');
    process.exit(2);
  }
  await generateBenchCsv(out, rows ? Number(rows) : undefined);
}
