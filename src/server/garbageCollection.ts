/**
 * Garbage collection after large documents' checks, when the process runs with --expose-gc (the
 * extension starts it so: src/protocol/serverProcess.ts). Opening a large file leaves its
 * JSON-RPC message (about its size, three times) as garbage that V8 would keep until its next
 * major collection; checkScheduler.ts asks for one after publishing.
 */
let gcTimer: NodeJS.Timeout | undefined;
let gcThorough = false;

/**
 * Collects garbage 200 ms from now (once, however often it is asked meanwhile) when the process
 * runs with --expose-gc. `thorough` (after a large document's full check) asks V8 for a
 * last-resort collection, which also hands back the pages V8 keeps pooled for reuse: on Node 24
 * those held ~1x of a 100 MB document's size after its didOpen; a regular collection leaves them.
 */
export function collectGarbageSoon(thorough: boolean): void {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (!gc) return;
  gcThorough ||= thorough;
  if (gcTimer) return;
  gcTimer = setTimeout(() => {
    gcTimer = undefined;
    if (gcThorough) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    else gc();
    gcThorough = false;
  }, 200);
}
