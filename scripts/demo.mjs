// `npm run demo`: the main job on the bundled example data, end to end.
// 1. compare Seattle and New York weather and print the recommendation;
// 2. scaffold an experiment from the two files (what `init` writes);
// 3. train the bundled example experiment's separate, merged and multi-head arms;
// 4. write a self-contained HTML report of the comparison;
// 5. the text example (examples/text: SpamAssassin mail, State of the Union passages by era):
//    compare the two text datasets, then train a bag-of-embeddings encoder shared by both with
//    one head each, beside one model per dataset and a merged model;
// 6. package the VS Code extension as a .vsix.
// Expects `npm run build` to have run (the npm script does it first).
import { spawnSync } from 'node:child_process';

const cli = (...args) => ['node', ['dist/cli.js', ...args]];
const steps = [
  ['Compare the example datasets', ...cli('compare', 'examples/weather/seattle.csv', 'examples/weather/new-york.csv', '--label', 'weather', '--html', 'examples/weather.compare.html')],
  ['Scaffold a merge experiment from them', ...cli('init', 'merge', 'examples/weather/seattle.csv', 'examples/weather/new-york.csv', '--label', 'weather', '-o', 'examples/weather.scaffold.experiment.json', '--force')],
  ['Train the separate, merged and multi-head arms', ...cli('run', 'examples/weather.experiment.json')],
  ['Compare the text example: SpamAssassin mail and State of the Union passages', ...cli('compare', 'examples/text/spam.csv', 'examples/text/sotu.csv', '--label', 'label')],
  ['Train the text example: a text encoder shared by both datasets, one head each', ...cli('run', 'examples/text.experiment.json')],
  ['Package the VS Code extension', 'npm', ['run', '--silent', 'package']],
];

for (const [title, cmd, args] of steps) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: step "${title}" failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}
process.stdout.write(
  '\nDone. Open examples/weather.compare.html in a browser for the charts; install the extension with\n' +
    '  code --install-extension dataset-lab.vsix\n',
);
