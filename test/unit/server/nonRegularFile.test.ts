// The real server over stdio, reading CSV files from disk (the path VS Code takes for files over
// 50 MB): a FIFO named x.csv used to block the read forever, and four of them took every thread
// of Node's pool, so no other file could be read. Each is refused with a log line naming it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LogMessageNotification, type LogMessageParams } from 'vscode-languageserver-protocol';
import { DiskFilesNotification } from '../../../src/protocol/lsp';
import { tempDir } from '../helpers';
import { TestClient, brief, fileUri } from './lspClient';

describe('language server: files on disk that are not regular files', () => {
  const dir = tempDir('dataset-lab-server-fifo-');
  // More FIFOs than libuv's pool has threads (4): blocked reads of them would starve every other read.
  const fifos = Array.from({ length: 6 }, (_, i) => join(dir.path, `pipe-${i}.csv`));
  let client: TestClient;
  const logs: LogMessageParams[] = [];
  const refused = () => fifos.filter((f) => logs.some((l) => l.message === `dataset-lab: ${f}: not a regular file (a FIFO); expected a CSV file`));
  let allRefused: () => void = () => undefined;
  const everyFifoRefused = new Promise<void>((resolve) => (allRefused = resolve));
  before(async () => {
    for (const f of fifos) execFileSync('mkfifo', [f]);
    ({ client } = await TestClient.start());
    client.conn.onNotification(LogMessageNotification.type, (p) => {
      logs.push(p);
      if (refused().length === fifos.length) allRefused();
    });
  });
  after(async () => {
    // Readers still waiting in open() (the bug) would keep the server alive: give them writers.
    for (const f of fifos) {
      try {
        closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waiting.
      }
    }
    await client.stop();
    dir.cleanup();
  });

  it('logs "not a regular file" for each FIFO and still checks a real file read after them', { timeout: 30_000 }, async () => {
    const real = join(dir.path, 'real.csv');
    writeFileSync(real, 'a,b\n1,2\n3\n');
    await client.conn.sendNotification(DiskFilesNotification.type, { uris: [...fifos.map(fileUri), fileUri(real)] });
    const ds = await client.diagnostics(fileUri(real), (p) => p.diagnostics.length > 0, 25_000);
    assert.deepEqual(ds.map(brief), ['ragged-row 2:0-2:1']);
    await everyFifoRefused;
    assert.deepEqual(refused(), fifos);
    for (const f of fifos) assert.equal(client.published.has(fileUri(f)), false);
  });
});
