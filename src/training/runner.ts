/**
 * One run from start to finish, as the training child performs it: load and validate the
 * experiment, read the CSV files, prepare sources, create the run folder, train the arms,
 * persist everything, and report through `send`. Errors become `error` messages, never throws.
 */
import type { FromTrainerMessage, StartMessage } from '../protocol/training';
import { BackendError, initBackend } from './backend';
import { threadCap } from './parallel/threads';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, prepareSources } from './data';
import { evaluateRun } from './evaluation/evaluateRun';
import { planCrossValidation } from './evaluation/crossValidation';
import { ArmDivergedError } from './trainModel';
import { DivergedError, plannedStepper } from './trainLoop';
import { ExperimentError, loadExperiment } from './experiment';
import { readDatasets } from './readDatasets';
import { RUN_FILES, type ArmName, type RunResults, type SplitFile, type StatusFile } from '../protocol/runFolder/contract';
import { debugEnabled } from './debug';
import { RunFolder, RunFolderError, StorageError, type Heartbeat } from '../protocol/runFolder/write';
import { saveModel, saveTreeModel } from './modelStore';
import { baselines } from './evaluation/baseline';
import { rowAccounting } from './rowAccounting';
import { defaultModelCache } from './text/textContext';
import { textNotes } from './text/textNotes';
import { hasTextFeatures, textSpecOf } from './text/trainTextModel';

export interface RunnerHooks {
  send(msg: FromTrainerMessage): void;
  isCancelled(): boolean;
  /**
   * Why the run is being stopped when nobody asked (e.g. the parent process went away): the
   * cancelled run is then recorded as `interrupted` with this reason rather than `cancelled`.
   */
  interruption?(): string | undefined;
}

export const TRAINER_VERSION = '0.1.0';

export async function runExperiment(start: StartMessage, hooks: RunnerHooks): Promise<'completed' | 'cancelled' | 'failed'> {
  let run: RunFolder | null = null;
  let heartbeat: Heartbeat | undefined;
  let epochsDone = 0;
  try {
    const exp = loadExperiment(start.experimentPath, start.root ? { root: start.root } : {});
    const arms: ArmName[] = start.arms ? exp.arms.filter((a) => start.arms?.includes(a)) : exp.arms;
    if (start.arms) {
      const unknown = start.arms.filter((a) => !exp.arms.includes(a));
      if (unknown.length) throw new ExperimentError([{ file: exp.file, path: '$.arms', message: `arm(s) ${unknown.join(', ')} requested but not enabled in the experiment (it has ${exp.arms.join(', ')})` }]);
    }
    const { tf, backend, version } = await initBackend(start.backend);
    const tables = await readDatasets(exp);
    const data = prepareSources({ ...exp, arms }, tables);
    const startedAt = new Date().toISOString();
    run = RunFolder.create(exp.root);
    const runDir = run.dir;
    heartbeat = run.startHeartbeat(startedAt, () => epochsDone);
    const beat = heartbeat;
    run.writeJson(RUN_FILES.experiment, { ...exp, arms });
    run.writeJson(RUN_FILES.environment, {
      backend,
      // Networks: 'fused-wasm' (fusedDense.ts) or 'tfjs' (ops + autodiff); linear models are closed-form / L-BFGS.
      trainingStep: plannedStepper(tf, exp.training.optimizer),
      // The most threads a fused step uses (DATASET_LAB_THREADS, else every core); models with
      // batches under 128 rows, under 16,384 training rows or under 500,000 rows x epochs use one (parallel/threads.ts).
      trainingThreads: plannedStepper(tf, exp.training.optimizer) === 'fused-wasm' ? threadCap() : 1,
      tfjs: version,
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      platform: `${process.platform}-${process.arch}`,
      trainer: TRAINER_VERSION,
      seed: exp.training.seed,
      splitSeed: exp.split.seed,
      startedAt,
    });
    // Cross-validation: every fold's rows, checked before anything trains (folds.json).
    const plan = exp.evaluation.method === 'holdout' ? null : planCrossValidation(exp, data);
    // Row indices (0-based data rows of each CSV) per split: peers can reproduce the exact split.
    // Cross-validation: the split of the final refit, whose models are saved (no test rows).
    const split: Record<string, SplitFile[string]> = {};
    for (const s of data.sources) {
      const assigned = plan?.refitSplits.get(s.name) ?? s.split;
      const part = (k: number) => Array.from(s.rows).filter((_, i) => assigned[i] === k);
      split[s.name] = { train: part(SPLIT_TRAIN), validation: part(SPLIT_VALIDATION), test: part(SPLIT_TEST) };
    }
    run.writeJson(RUN_FILES.split, split satisfies SplitFile);
    if (plan) run.writeJson(RUN_FILES.folds, plan.folds);
    // Text columns that cannot help (one value, no text), bytes that were not UTF-8, very long cells.
    const notes = hasTextFeatures(data) ? textNotes(data, textSpecOf(exp)) : [];
    const models = arms.flatMap((a) => (a === 'separate' ? data.sources.map((s) => `separate/${s.name}`) : [a]));
    hooks.send({ type: 'started', runId: run.runId, runDir, backend, models, ...(plan ? { folds: plan.jobs } : {}) });

    const interval = start.progressIntervalMs ?? 100;
    let lastProgress = 0;
    let fold: number | undefined;
    const folder = run;
    const result = await evaluateRun(exp, data, arms, tf, {
      isCancelled: hooks.isCancelled,
      onFold(f) {
        fold = f;
      },
      onProgress(arm, model, epochs, p) {
        const now = Date.now();
        if (now - lastProgress < interval && p.batch !== p.batches) return;
        lastProgress = now;
        hooks.send({ type: 'progress', arm, model, epochs, ...p, ...(fold !== undefined && plan ? { fold, folds: plan.jobs } : {}) });
      },
      onEpoch(record) {
        beat.check();
        folder.appendHistory(record);
        epochsDone++;
        hooks.send({ type: 'epoch', record });
      },
      saveModel: (meta, model, files) => saveModel(folder, meta, model, tf, files),
      text: {
        trusted: start.text?.trusted ?? true,
        allowDownload: (start.text?.trusted ?? true) && (start.text?.allowModelDownload ?? false),
        modelCache: defaultModelCache(),
        embeddings: new Map(),
        onEncodingProgress(p) {
          const now = Date.now();
          if (now - lastProgress < interval && p.done !== p.total) return;
          lastProgress = now;
          hooks.send({ type: 'encoding', ...p });
        },
      },
      saveTrees: async (meta, trees) => saveTreeModel(folder, meta, trees),
    }, plan);
    beat.stop();
    beat.check();
    if (result.cancelled) {
      const why = hooks.interruption?.();
      const at = new Date().toISOString();
      run.writeStatus(why ? { status: 'interrupted', reason: why, epochsDone, at } : { status: 'cancelled', epochsDone, at });
      hooks.send({ type: 'cancelled', runDir, epochsDone });
      return 'cancelled';
    }
    const divergedArms = result.arms.filter((a) => a.diverged);
    if (divergedArms.length === result.arms.length && divergedArms.length > 0) {
      // Nothing to compare: the run ends as diverged, naming each arm's failure.
      const first = divergedArms[0].diverged as NonNullable<(typeof divergedArms)[0]['diverged']>;
      const parts = divergedArms.map((a) => `${a.diverged?.message.replace(/; lower training\.learningRate$/, '')}${a.diverged?.fold ? ` (fold ${a.diverged.fold})` : ''}`);
      const err = new ArmDivergedError(divergedArms[0].arm, first.model, first.epoch, new DivergedError(first.epoch, 0, first.kind));
      err.message = `${divergedArms.length === 1 ? 'the arm' : 'every arm'} diverged: ${parts.join('; ')}; lower training.learningRate (it is ${exp.training.learningRate})`;
      throw err;
    }
    // What each dataset's arms must beat, on the same test rows (cross-validation: every fold's).
    const baseline = baselines(data, plan ? Array.from({ length: plan.jobs }, (_, j) => plan.splitFor(j)) : undefined);
    const results: RunResults = {
      runId: run.runId,
      experiment: exp.name,
      backend,
      seed: exp.training.seed,
      splitSeed: exp.split.seed,
      status: 'completed',
      evaluation: result.evaluation,
      arms: result.arms,
      comparison: result.comparison,
      datasets: Object.fromEntries(
        data.sources.map((s) => {
          const c = [0, 0, 0];
          for (const k of plan?.refitSplits.get(s.name) ?? s.split) c[k]++;
          // Cross-validation tests every labelled row once per repeat.
          const test = plan ? s.rows.length : c[SPLIT_TEST];
          const b = baseline[s.name];
          return [
            s.name,
            { task: s.task, label: s.label, rows: s.table.rows, train: c[SPLIT_TRAIN], validation: c[SPLIT_VALIDATION], test, unlabelled: s.unlabelled, leakage: result.leakage[s.name], accounting: rowAccounting(s, data.features), ...(b ? { baseline: b } : {}) },
          ];
        }),
      ),
      features: data.features.map((f) => f.name),
      ...(data.features.some((f) => f.type === 'text') ? { textFeatures: data.features.filter((f) => f.type === 'text').map((f) => f.name) } : {}),
      ...(notes.length ? { textNotes: notes } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    run.syncHistory();
    run.writeJson(RUN_FILES.results, results);
    run.writeStatus({ status: 'completed', epochsDone, at: results.finishedAt });
    hooks.send({ type: 'completed', results });
    return 'completed';
  } catch (e) {
    heartbeat?.stop();
    const runDir = run?.dir ?? null;
    const folder = run;
    // On a full disk the status may not fit either: try, and say so when it did not.
    const record = (status: Omit<StatusFile, 'epochsDone' | 'at'>): boolean => {
      if (!folder) return false;
      try {
        folder.writeStatus({ ...status, epochsDone, at: new Date().toISOString() });
        return true;
      } catch {
        return false;
      }
    };
    if (e instanceof ExperimentError || e instanceof BackendError || e instanceof RunFolderError) hooks.send({ type: 'error', kind: 'input', message: e.message, runDir });
    else if (e instanceof ArmDivergedError) {
      record({ status: 'diverged', arm: e.arm, model: e.model, epoch: e.epoch, message: e.message });
      hooks.send({ type: 'error', kind: 'diverged', message: e.message, runDir, arm: e.arm, model: e.model, epoch: e.epoch });
    } else if (e instanceof StorageError) {
      const recorded = record({ status: 'failed', reason: e.reason, code: e.code, file: e.path, message: e.message });
      const note = !folder ? '' : recorded ? '; the run is marked failed' : '; the run could not be marked failed either';
      hooks.send({ type: 'error', kind: 'storage', message: `${e.message}${note}`, runDir });
    } else {
      hooks.send({ type: 'error', kind: 'internal', message: internalError(e, folder, record), runDir });
    }
    return 'failed';
  }
}

/**
 * A bug, in one line for people: the error's first line, and where the stack went (error.log in
 * the run folder, or the terminal when debugging). Never a raw stack in the message otherwise.
 */
export function internalError(e: unknown, run: RunFolder | null, record: (status: Omit<StatusFile, 'epochsDone' | 'at'>) => boolean): string {
  const first = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0];
  const stack = e instanceof Error && e.stack ? e.stack : String(e);
  let logged = false;
  if (run) {
    try {
      run.writeText(RUN_FILES.errorLog, `${new Date().toISOString()}\n${stack}\n`);
      logged = true;
    } catch {
      // the one line below still says what happened
    }
  }
  record({ status: 'failed', reason: 'internal error', message: first });
  const where = debugEnabled() ? `\n${stack}` : logged && run ? ` (the stack trace is in ${run.dir}/error.log)` : ' (set DATASET_LAB_DEBUG=1 for the stack trace)';
  return `internal error in the trainer (please report it): ${first}${where}`;
}
