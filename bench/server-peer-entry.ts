// Peer for bench/server.mjs: the engine's own in-memory ingest + profile (what `dataset-lab
// profile` does after reading a file), bundled by the bench so both sides run the same Node.
export { parseCsvText } from '../src/core/ingest';
export { profileTable } from '../src/core/profile';
export { SERVER_PROCESS } from '../src/protocol/serverProcess';
export { DiskFilesNotification } from '../src/protocol/lsp';
