import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs, stringOption, UsageError, type OptionSpec } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { displayText } from '../format';
import { writeHtmlReport } from '../htmlReport';
import { describeRunStatus, readRunFolder, trainingStatusOf, type RunFolderContents } from '../../protocol/runFolder/read';
import { RUN_FILES } from '../../protocol/runFolder/contract';
import { RunEvidenceError, withRunEvidence } from '../../training/export/torch/runEvidence';

const options: readonly OptionSpec[] = [{ name: 'output', alias: 'o', kind: 'string', description: 'HTML file to write (default: RUN_DIR/report.html)' }];

/**
 * `dataset-lab report RUN_DIR -o report.html`: the dashboard's Results and Training views as one
 * HTML file. A run that did not complete (interrupted, cancelled, failed) is rendered from what
 * it has, its curves, with its state and reason in the status line.
 */
export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report RUN_DIR [-o report.html]',
  summary: 'Write a self-contained HTML report (results, curves, confusion matrices) of a training run.',
  options,
  async run(argv, io) {
    const args = parseArgs(argv, options);
    if (args.positionals.length !== 1) throw new UsageError('report needs exactly one RUN_DIR (a folder under .dataset-lab/runs/)');
    const dir = resolve(io.cwd, args.positionals[0]);
    const shown = args.positionals[0];
    if (![RUN_FILES.results, RUN_FILES.history, RUN_FILES.status].some((f) => existsSync(join(dir, f)))) {
      throw new UsageError(`${shown}: no results.json, history.jsonl or status.json in this folder (is it a run under .dataset-lab/runs/?)`);
    }
    let run: RunFolderContents;
    try {
      run = await readRunFolder(dir);
    } catch (e) {
      throw new UsageError(`${join(shown, RUN_FILES.results)}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const { points, status } = run;
    let { results } = run;
    if (results !== undefined && !Array.isArray(results.arms)) throw new UsageError(`${join(shown, RUN_FILES.results)}: not a Dataset Lab results document (no "arms" list)`);
    // A run of an exported PyTorch project: intervals and paired tests from its predictions.json.
    try {
      if (results) results = withRunEvidence(dir, results, run.settings);
    } catch (e) {
      if (e instanceof RunEvidenceError) throw new UsageError(e.message);
      throw e;
    }
    const arms = [...new Set(points.map((p) => p.arm))];
    const runId = results?.runId ?? basename(dir);
    const training = trainingStatusOf(runId, basename(dir), status, arms, run);
    const out = resolve(io.cwd, stringOption(args, 'output') ?? join(dir, 'report.html'));
    await writeHtmlReport(results ? { kind: 'run', results, points, status: training } : { kind: 'run', points, status: training }, out);
    if (status.state !== 'completed') io.stderr.write(`note: ${displayText(describeRunStatus(status))}; the report shows what the run recorded\n`);
    io.stderr.write(`wrote ${displayText(out)}\n`);
    return EXIT_OK;
  },
};
