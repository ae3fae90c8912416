/**
 * Stands in for transformers' backends/onnx-node.js inside dist/transformers-wasm.js: its
 * default export is what the library takes for ONNX Runtime in Node. Here that is onnxruntime-web
 * (its Node build: the same InferenceSession API over the WebAssembly build of ONNX Runtime),
 * with its WebAssembly files read from the folder of this bundle. Setting wasmPaths before the
 * library's backend module runs matters: left unset, the library points it at a CDN.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';

// ort-wasm-simd-threaded.wasm and its loader ort-wasm-simd-threaded.mjs are copied next to the
// bundle by esbuild.mjs. A file: URL, not a path: the loader is an ES module found by import(),
// which takes URLs on every platform (a Windows path is not one). The .mjs then reads the .wasm
// beside it with fs.
ort.env.wasm.wasmPaths = pathToFileURL(join(__dirname, '/')).href;

export const ortWasm = ort;
export default ort;
