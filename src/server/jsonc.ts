// jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its ESM
// build bundles cleanly, so the server imports it from here.
export { findNodeAtLocation, getNodeValue, modify, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main';
export type { Node, ParseError } from 'jsonc-parser/lib/esm/main';
