/**
 * How the language server process is started: by the extension's language client (over IPC)
 * and, identically, by bench/server.mjs. Measured with a 100 MB CSV open (bench/RESULTS.md):
 * - `--expose-gc`: after a large document is checked, the server collects its transfer garbage
 *   (the JSON-RPC message holds the text about three times over) at once instead of whenever V8
 *   next runs a full collection.
 * - `--max-semi-space-size=2` (MB): the young generation otherwise grows to tens of MB while a
 *   large message is parsed and keeps them; the server allocates little short-lived data.
 * - `MALLOC_MMAP_THRESHOLD_=32768`: the process reads messages in 64 KiB chunks, which glibc
 *   would serve from its heap and, once freed, keep (about the document's size); above this
 *   threshold they are mapped and returned on free. Ignored off glibc.
 */
export const SERVER_PROCESS = {
  execArgv: ['--expose-gc', '--max-semi-space-size=2'],
  env: { MALLOC_MMAP_THRESHOLD_: '32768' },
} as const;
