/**
 * Entry of the training child process (bundled to dist/trainer.js, started with
 * child_process.fork). Parent -> child: start, cancel. Child -> parent: see
 * FromTrainerMessage. The child exits when its run ends or its parent goes away.
 */
import { assertNever, type FromTrainerMessage, type ToTrainerMessage } from '../protocol/training';
import { debugEnabled } from './debug';
import { runExperiment } from './runner';

let cancelled = false;
let running = false;
/** Set when the run must stop without anyone asking: it is then recorded as interrupted. */
let interruption: string | undefined;

function send(msg: FromTrainerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

if (!process.send) {
  process.stderr.write('dataset-lab trainer: start me with child_process.fork (an IPC channel is required)\n');
  process.exit(2);
}

/**
 * Last resort for errors outside the run's own try/catch. Prepended so it runs before the
 * listeners the WASM backend's Emscripten runtime adds, which rethrow and so print a raw stack
 * trace: one line on stderr (the parent shows it), the stack only when debugging.
 */
function crash(e: unknown): never {
  const first = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0];
  process.stderr.write(`internal error in the trainer (please report it): ${first}\n`);
  if (debugEnabled() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
process.prependListener('uncaughtException', crash);
process.prependListener('unhandledRejection', crash);

// The parent is gone (killed, crashed): stop the run between batches so its folder records
// `interrupted` with the finished epochs, then exit. Bounded: a run that cannot stop within
// 10 s is left to readers, who see its process gone.
process.on('disconnect', () => {
  if (!running) process.exit(1);
  interruption = 'the process that started the run went away';
  cancelled = true;
  setTimeout(() => process.exit(1), 10_000).unref();
});
// Ctrl-C in a terminal reaches the whole process group, and SIGTERM is how service managers
// and `kill` stop processes: both cancel (the parent sends a cancel too) so the finished
// epochs are recorded and the parent gets a 'cancelled' answer.
process.on('SIGINT', () => {
  cancelled = true;
});
process.on('SIGTERM', () => {
  cancelled = true;
});

process.on('message', (raw: unknown) => {
  const msg = raw as ToTrainerMessage;
  switch (msg.type) {
    case 'start': {
      if (running) {
        void send({ type: 'error', kind: 'input', message: 'a run is already in progress in this process', runDir: null });
        return;
      }
      running = true;
      const pending: Promise<void>[] = [];
      void runExperiment(msg, {
        send: (m) => pending.push(send(m)),
        isCancelled: () => cancelled,
        interruption: () => interruption,
      })
        .then(async (outcome) => {
          await Promise.all(pending);
          running = false;
          process.exitCode = outcome === 'failed' || interruption ? 1 : 0;
          if (process.connected) process.disconnect();
        })
        .catch(crash);
      return;
    }
    case 'cancel':
      cancelled = true;
      return;
    default:
      assertNever(msg);
  }
});
