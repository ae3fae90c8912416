import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readTable } from '../../core/readers/readTable';
import { flag, parseArgs, stringOption, UsageError } from '../args';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand } from '../command';
import { displayText, terminalText } from '../format';
import { isStrictlyInside, realPath } from '../../core/paths';
import { writeJsonAtomic } from '../../protocol/runFolder/write';
import { scaffoldExperiment } from '../../training/scaffold';
import { EXPERIMENT_KINDS, type ExperimentKind } from '../../protocol/armRule';

export const initCommand: CliCommand = {
  name: 'init',
  usage: 'init merge|multihead|separate|all FILE FILE... (--label COL | --labels A,B,...) -o FILE [--force]',
  summary:
    'Write a starting experiment (labels, shared features, tasks, arms) for some data files (CSV, Parquet, Arrow, JSON Lines): merge trains merged vs separate, multihead multi-head vs separate, separate one model per dataset, all every arm the labels allow (no merged arm when the label columns differ)',
  options: [
    { name: 'label', kind: 'string', description: 'label column, the same in every file' },
    { name: 'labels', kind: 'string', description: 'comma-separated label column per file, in file order' },
    { name: 'output', alias: 'o', kind: 'string', description: 'experiment file to write (e.g. weather.experiment.json)' },
    { name: 'force', kind: 'boolean', description: 'overwrite an existing file' },
  ],
  async run(argv, io) {
    const args = parseArgs(argv, this.options);
    const [mode, ...files] = args.positionals;
    if (!EXPERIMENT_KINDS.includes(mode as ExperimentKind)) throw new UsageError(`init needs a kind: ${EXPERIMENT_KINDS.map((k) => `"${k}"`).join(', ')}, then the data files`);
    if (files.length === 0) throw new UsageError('init needs at least one CSV file');
    const out = stringOption(args, 'output');
    if (!out) throw new UsageError('init needs -o FILE (the experiment to write)');
    const label = stringOption(args, 'label');
    const labelList = stringOption(args, 'labels');
    if (label !== undefined && labelList !== undefined) throw new UsageError('give either --label or --labels, not both');
    let labels: string[];
    if (labelList !== undefined) {
      labels = labelList.split(',').map((s) => s.trim());
      if (labels.length !== files.length) throw new UsageError(`--labels lists ${labels.length} columns for ${files.length} files`);
    } else if (label !== undefined) labels = files.map(() => label);
    else throw new UsageError('init needs --label COL or --labels A,B,... (one per file)');
    const outPath = resolve(io.cwd, out);
    if (existsSync(outPath) && !flag(args, 'force')) {
      io.stderr.write(`dataset-lab: ${displayText(out)} already exists; add --force to overwrite it\n`);
      return EXIT_BAD_INPUT;
    }
    // The experiment will only read files really inside its folder: refuse links leading out now.
    const outDir = dirname(outPath);
    for (const f of files) {
      const abs = resolve(io.cwd, f);
      const real = realPath(abs);
      if (isStrictlyInside(outDir, abs) && !isStrictlyInside(realPath(outDir), real)) {
        throw new UsageError(`${f} resolves to ${real} through a symbolic link, outside ${outDir}; write the experiment in a folder that contains every CSV`);
      }
    }
    const tables = [];
    for (const f of files) tables.push(await readTable(resolve(io.cwd, f)));
    const { experiment, notes } = scaffoldExperiment({ mode: mode as ExperimentKind, tables, labels, outFile: outPath });
    writeJsonAtomic(outPath, experiment);
    for (const n of notes) io.stderr.write(`note: ${displayText(n)}\n`);
    const features = (experiment.features ?? []).map(displayText).join(', ');
    io.stdout.write(
      terminalText(
        `wrote ${out}: ${experiment.datasets.length} datasets, ${experiment.features?.length ?? 0} shared features (${features}), arms ${(experiment.arms ?? []).join(', ')}\n` +
          `next: dataset-lab run ${out}\n`,
      ),
    );
    return EXIT_OK;
  },
};
