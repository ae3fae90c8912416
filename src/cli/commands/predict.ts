import { resolve } from 'node:path';
import { flag, parseArgs, stringOption, UsageError } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { displayText, terminalText } from '../format';
import type { ArmName } from '../../protocol/runFolder/contract';
import { ALL_ARMS } from '../../training/experiment';
import { writeFileAtomic } from '../../protocol/runFolder/write';

export const predictCommand: CliCommand = {
  name: 'predict',
  usage: 'predict RUN_DIR FILE [--arm separate|merged|multihead] [--dataset NAME] [-o out.csv] [--raw] [--allow-incomplete]',
  summary: 'Score the rows of a data file (CSV, Parquet, Arrow, JSON Lines) with a model saved in a run folder',
  options: [
    { name: 'arm', kind: 'string', description: 'which arm\'s model (default: the best pooled test score)' },
    { name: 'dataset', kind: 'string', description: "separate: whose model; multihead: which head (default: all); merged/multihead: whose transform applies to the rows when the datasets' transforms differ" },
    { name: 'output', alias: 'o', kind: 'string', description: 'write the predictions CSV here instead of stdout' },
    { name: 'allow-incomplete', kind: 'boolean', description: 'use the models of a run that did not complete (failed, cancelled, interrupted)' },
    { name: 'raw', kind: 'boolean', description: "write cells exactly as predicted; by default a cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first, not a number) gets a leading '" },
  ],
  async run(argv, io) {
    const args = parseArgs(argv, this.options);
    if (args.positionals.length !== 2) throw new UsageError('predict needs RUN_DIR and FILE');
    const arm = stringOption(args, 'arm');
    if (arm !== undefined && !ALL_ARMS.includes(arm as ArmName)) throw new UsageError(`--arm must be one of ${ALL_ARMS.join(', ')}`);
    const dataset = stringOption(args, 'dataset');
    // Loaded lazily: TensorFlow.js is only needed by this command.
    const { predictFile, toCsv } = await import('../../training/predict');
    const table = await predictFile(resolve(io.cwd, args.positionals[0]), resolve(io.cwd, args.positionals[1]), {
      ...(arm ? { arm: arm as ArmName } : {}),
      ...(dataset ? { dataset } : {}),
      allowIncomplete: flag(args, 'allow-incomplete'),
    });
    // Cells read as missing, empty columns imputed, dates read in an inferred format: said before the predictions.
    for (const w of table.warnings) io.stderr.write(`${displayText(w)}\n`);
    const csv = toCsv(table, { raw: flag(args, 'raw') });
    const out = stringOption(args, 'output');
    if (out) {
      // Temp file + rename: a link at the output path is replaced, never written through.
      writeFileAtomic(resolve(io.cwd, out), csv);
      io.stderr.write(`wrote ${table.rows.length} predictions (${table.arm} arm) to ${displayText(out)}\n`);
      // On a terminal the CSV is read by a person: class names must not drive the terminal. Piped, it stays exact.
    } else io.stdout.write(io.stdout.isTTY ? terminalText(csv) : csv);
    return EXIT_OK;
  },
};
