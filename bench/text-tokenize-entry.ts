// Our side of bench/text_tokenize.mjs: the word tokenizer of text features (src/training/text/
// textTokenizer.ts) over every document of a corpus file (one per line), with what
// CountVectorizer.fit_transform also does: the vocabulary (token -> id, counted) and the
// document-term counts as a CSR matrix. No cache of repeated texts (the corpus has none).
// Prints seconds=<tokenize+count+encode> and documents, tokens, vocabulary on stderr.
import { readFileSync } from 'node:fs';
import { wordTokens } from '../src/training/text/textTokenizer';

const docs = readFileSync(process.argv[2], 'utf8').split('\n');
if (docs[docs.length - 1] === '') docs.pop();
const started = process.hrtime.bigint();
const vocabulary = new Map<string, number>();
const indptr = new Int32Array(docs.length + 1);
let indices = new Int32Array(1 << 20);
let counts = new Int32Array(1 << 20);
let nnz = 0;
let tokens = 0;
const row = new Map<number, number>();
for (let d = 0; d < docs.length; d++) {
  row.clear();
  for (const t of wordTokens(docs[d])) {
    let id = vocabulary.get(t);
    if (id === undefined) vocabulary.set(t, (id = vocabulary.size));
    row.set(id, (row.get(id) ?? 0) + 1);
    tokens++;
  }
  if (nnz + row.size > indices.length) {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(Math.max(a.length * 2, nnz + row.size));
      b.set(a);
      return b;
    };
    indices = grow(indices);
    counts = grow(counts);
  }
  for (const [id, c] of row) {
    indices[nnz] = id;
    counts[nnz++] = c;
  }
  indptr[d + 1] = nnz;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write(`seconds=${seconds} documents=${docs.length} tokens=${tokens} vocabulary=${vocabulary.size} nnz=${nnz}\n`);
