// Preloaded by bench/compare.mjs (node -r) into the real `node dist/cli.js compare ...` so the
// same process also yields its in-process time: from the end of loading the CLI bundle (start-up
// and module evaluation, what Python's imports are on the peer's side) to exit. Reports
// loaded_s= and inprocess_s= on stderr; changes nothing else.
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const main = process.env.BENCH_CLOCK_MAIN;
const compile = Module.prototype._compile;
let loaded;
Module.prototype._compile = function (content, filename) {
  const result = compile.call(this, content, filename);
  if (filename === main && loaded === undefined) loaded = performance.now();
  return result;
};
process.on('exit', () => {
  if (loaded !== undefined) process.stderr.write(`loaded_s=${loaded / 1000}\ninprocess_s=${(performance.now() - loaded) / 1000}\n`);
});
