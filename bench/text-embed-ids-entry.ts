// For bench/text_embed_peer.py: the token ids our pretrained path feeds the model, per distinct
// text of a text column in the order it embeds them (the column's dictionary, pretrainedFeatures.ts),
// from the model's tokenizer.json (src/training/text/textTokenizer.ts), truncated as
// @huggingface/transformers truncates for BERT: the first maxTokens - 1 ids and [SEP].
// Usage (bundled by bench/text_embed.mjs): node ids.js TOKENIZER_JSON CSV COLUMN MAX_TOKENS OUT_JSON
import { writeFileSync } from 'node:fs';
import { readTable } from '../src/core/readers/readTable';
import { columnByName, isStringColumn } from '../src/core/table';
import { PieceTokenizer } from '../src/training/text/textTokenizer';

async function main(): Promise<void> {
  const [tokenizerFile, csv, column, maxTokens, out] = process.argv.slice(2);
  const table = await readTable(csv);
  const col = columnByName(table, column);
  if (!col || !isStringColumn(col)) throw new Error(`${csv}: no text column "${column}"`);
  const tokenizer = new PieceTokenizer(tokenizerFile);
  const length = Number(maxTokens);
  const ids = col.dictionary.map((text) => {
    const all = tokenizer.ids(text);
    return all.length > length ? [...all.slice(0, length - 1), all[all.length - 1]] : all;
  });
  writeFileSync(out, JSON.stringify(ids));
}

void main();
