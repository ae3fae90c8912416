/**
 * Stands in for sharp (transformers' image decoder, a native module) inside
 * dist/transformers-wasm.js: text encoders never read images. The library only checks that it is
 * there when it loads.
 */
export default function sharp(): never {
  throw new Error('images are not supported by the bundled transformers (text encoders only)');
}
