import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { historyPoints, type RunResults } from '../../protocol/dashboard';
import { parseArgs, stringOption, UsageError, type OptionSpec } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { displayText } from '../format';
import { writeHtmlReport } from '../htmlReport';

const options: readonly OptionSpec[] = [{ name: 'output', alias: 'o', kind: 'string', description: 'HTML file to write (default: RUN_DIR/report.html)' }];

/** `dataset-lab report RUN_DIR -o report.html`: the dashboard's Results and Training views as one HTML file. */
export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report RUN_DIR [-o report.html]',
  summary: 'Write a self-contained HTML report (results, curves, confusion matrices) of a training run.',
  options,
  async run(argv, io) {
    const args = parseArgs(argv, options);
    if (args.positionals.length !== 1) throw new UsageError('report needs exactly one RUN_DIR (a folder under .dataset-lab/runs/)');
    const dir = resolve(io.cwd, args.positionals[0]);
    const resultsPath = join(dir, 'results.json');
    if (!existsSync(resultsPath)) {
      throw new UsageError(`${args.positionals[0]}: no results.json in this folder (is it a finished run under .dataset-lab/runs/?)`);
    }
    let results: RunResults;
    try {
      results = JSON.parse(readFileSync(resultsPath, 'utf8')) as RunResults;
    } catch (e) {
      throw new UsageError(`${resultsPath}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!results || !Array.isArray(results.arms)) throw new UsageError(`${resultsPath}: not a Dataset Lab results document (no "arms" list)`);
    const historyPath = join(dir, 'history.jsonl');
    const points = existsSync(historyPath) ? historyPoints(readFileSync(historyPath, 'utf8')) : [];
    let settings: unknown;
    for (const name of ['experiment.json', 'experiment.resolved.json', 'resolved-experiment.json']) {
      const p = join(dir, name);
      if (existsSync(p)) {
        try {
          settings = JSON.parse(readFileSync(p, 'utf8'));
        } catch {
          /* settings are optional */
        }
        break;
      }
    }
    const out = resolve(io.cwd, stringOption(args, 'output') ?? join(dir, 'report.html'));
    await writeHtmlReport(
      {
        kind: 'run',
        results: settings !== undefined ? { ...results, settings } : results,
        points,
        status: { runId: results.runId, name: basename(dir), state: 'completed', arms: [...new Set(points.map((p) => p.arm))] },
      },
      out,
    );
    io.stderr.write(`wrote ${displayText(out)}\n`);
    return EXIT_OK;
  },
};
