import { relative, resolve } from 'node:path';
import { flag, parseArgs, stringOption, UsageError } from '../args';
import { EXIT_BAD_INPUT, EXIT_OK, type CliCommand } from '../command';
import { displayText, terminalText } from '../format';
import { ExperimentError, formatIssue } from '../../training/experiment';
import { exportTorch } from '../../training/export/torch/exportTorch';

/**
 * `dataset-lab export torch EXPERIMENT -o DIR`: the experiment as a PyTorch DDP project
 * (src/training/export/torch/). An experiment it cannot export is refused with every reason
 * and exit code 2; nothing is written then.
 */
export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export torch EXPERIMENT -o DIR [--force] [--holdout]',
  summary: 'Write a self-contained PyTorch project (train.py with DistributedDataParallel, the fitted preprocessing, the split, torchrun/Slurm/Kubernetes launch files) that trains the experiment and writes a run folder report and Open Run show',
  options: [
    { name: 'output', alias: 'o', kind: 'string', description: 'project folder to write (must not exist unless --force)' },
    { name: 'force', kind: 'boolean', description: 'replace an existing folder' },
    { name: 'holdout', kind: 'boolean', description: 'export a cross-validation experiment with its holdout split instead of its folds' },
  ],
  async run(argv, io) {
    const args = parseArgs(argv, this.options);
    const [target, experiment, ...extra] = args.positionals;
    if (target !== 'torch') throw new UsageError(`export needs a target: "torch" (got ${target === undefined ? 'none' : JSON.stringify(target)}), then the experiment file`);
    if (!experiment || extra.length) throw new UsageError('export torch needs exactly one EXPERIMENT file');
    const out = stringOption(args, 'output');
    if (!out) throw new UsageError('export torch needs -o DIR (the project folder to write)');
    let summary;
    try {
      summary = await exportTorch(resolve(io.cwd, experiment), { out: resolve(io.cwd, out), force: flag(args, 'force'), holdout: flag(args, 'holdout') });
    } catch (e) {
      if (!(e instanceof ExperimentError)) throw e;
      for (const issue of e.issues) io.stderr.write(`dataset-lab: ${terminalText(formatIssue(issue))}\n`);
      io.stderr.write('dataset-lab: nothing was exported\n');
      return EXIT_BAD_INPUT;
    }
    for (const n of summary.notes) io.stderr.write(`note: ${displayText(n)}\n`);
    const shown = relative(io.cwd, summary.out) || '.';
    io.stdout.write(
      terminalText(
        `wrote ${shown}: train.py, export.json, split.json, ${summary.folds ? `folds.json (${summary.folds} folds), ` : ''}${summary.models.length} models' preprocessing (${summary.models.join(', ')}${summary.folds ? ', per fold' : ''}), README.md, launch/slurm.sbatch, launch/pytorchjob.yaml\n` +
          `next: cd ${shown} && torchrun --nproc_per_node 2 train.py\n`,
      ),
    );
    return EXIT_OK;
  },
};
