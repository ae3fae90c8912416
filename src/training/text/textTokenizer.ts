/**
 * Tokenizers of text features. "word" is the token src/core/text/tokens.ts defines for profile
 * and compare (lower-cased runs of letters and digits), scanned here without a regular
 * expression for ASCII text, which is most of it. "wordpiece" is a Hugging Face tokenizer.json
 * (WordPiece, BPE or Unigram) run by @huggingface/tokenizers, the pure-JS tokenizers that
 * @huggingface/transformers uses. A file that cannot be read or parsed is a TextModelError
 * naming it.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A model or tokenizer file is missing or unusable: the message names the file. */
export class TextModelError extends Error {
  override name = 'TextModelError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export interface TextTokenizer {
  readonly kind: 'word' | 'wordpiece';
  /** Tokens of one cell, in order. */
  tokens(text: string): string[];
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The word tokens of `text`, exactly as core's tokenize(): ASCII letters and digits are told apart
 * by their code; any other character by the Unicode test, on the lower-cased text.
 */
export function wordTokens(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let start = -1;
  const n = lower.length;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    let word: boolean;
    if (c < 0x80) word = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      // A surrogate pair is one code point: test it whole and step over both halves.
      word = LETTER_OR_DIGIT.test(lower.slice(i, i + 2));
      if (word) {
        if (start < 0) start = i;
        i++;
        continue;
      }
    } else word = LETTER_OR_DIGIT.test(lower[i]);
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(lower.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(lower.slice(start));
  return out;
}

export const wordTokenizer: TextTokenizer = { kind: 'word', tokens: wordTokens };

/** Reads and parses a JSON file of a model folder, naming the file when it is missing or broken. */
export function readModelJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TextModelError(file, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TextModelError(file, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TextModelError(file, 'must hold a JSON object');
  return value as Record<string, unknown>;
}

/** A tokenizer.json as @huggingface/tokenizers runs it (with tokenizer_config.json beside it when present). */
export class PieceTokenizer implements TextTokenizer {
  readonly kind = 'wordpiece' as const;
  readonly tokenizer: Tokenizer;
  constructor(readonly file: string) {
    const json = readModelJson(file);
    const configFile = join(dirname(file), 'tokenizer_config.json');
    const config = existsSync(configFile) ? readModelJson(configFile) : {};
    if (typeof json.model !== 'object' || json.model === null) throw new TextModelError(file, 'has no "model" (a Hugging Face tokenizer.json names its WordPiece, BPE or Unigram model there)');
    try {
      this.tokenizer = new Tokenizer(json, config);
      this.tokenizer.tokenize('probe');
    } catch (e) {
      throw new TextModelError(file, `is not a tokenizer @huggingface/tokenizers can run (${(e as Error).message.split('\n')[0]})`);
    }
  }

  tokens(text: string): string[] {
    return this.tokenizer.tokenize(text);
  }

  /** Token ids of the model's own vocabulary, special tokens ([CLS], [SEP]) included. */
  ids(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }
}
