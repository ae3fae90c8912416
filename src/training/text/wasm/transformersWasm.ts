/**
 * Entry of dist/transformers-wasm.js, the copy of @huggingface/transformers the packaged
 * extension carries: esbuild (esbuild.mjs, transformersWasmPlugin) bundles the library's ES
 * sources with ortWasmBinding.ts in place of its onnxruntime-node binding, so models run on ONNX
 * Runtime compiled to WebAssembly (onnxruntime-web's Node build), whose .wasm and .mjs are copied
 * next to the bundle. Nothing native, nothing per platform. Loaded by ../transformersRuntime.ts
 * only when onnxruntime-node cannot be loaded (or DATASET_LAB_ONNX_RUNTIME=wasm).
 */
export { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';
export { ortWasm } from './ortWasmBinding';
