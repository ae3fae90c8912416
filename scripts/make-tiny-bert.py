"""Builds a tiny BERT-shaped sentence encoder as a Hugging Face model folder that
@huggingface/transformers loads offline: config.json (model_type "bert"), tokenizer.json
(WordPiece: BERT's normalizer and pre-tokenizer, [CLS] ... [SEP]), tokenizer_config.json and
onnx/model.onnx (input_ids, attention_mask, token_type_ids -> last_hidden_state), exported with
torch.onnx from Debian's python3-torch.

The model is BERT's architecture at toy size (embeddings of words, positions and token types,
LayerNorm, post-LN encoder layers with GELU feed-forward blocks), with seeded random weights: it
exists so the tests and the benchmark exercise the real loading and embedding code; its
embeddings are not meant to be good. --hidden/--layers/--heads/--intermediate make larger
shapes (e.g. MiniLM-L6's 384/6/12/1536 for a throughput figure).

The vocabulary: special tokens, every ASCII letter, digit and punctuation mark (alone and as a
##continuation), then the most frequent words of the corpus files given (CSV text, lower-cased
runs of letters), up to --vocab entries.

Usage: python3 scripts/make-tiny-bert.py OUT_DIR [--corpus FILE ...] [--vocab N] [--hidden H]
       [--layers L] [--heads A] [--intermediate I] [--seed S]
Test fixture: /usr/bin/python3 scripts/make-tiny-bert.py test/fixtures/models/tiny-bert --corpus examples/text/spam.csv examples/text/sotu.csv
It also writes reference.json: a few texts, their token ids and their embeddings from torch.
"""
import argparse
import collections
import json
import math
import os
import re
import string

import torch

p = argparse.ArgumentParser()
p.add_argument('out')
p.add_argument('--corpus', nargs='*', default=[])
p.add_argument('--vocab', type=int, default=1000)
p.add_argument('--hidden', type=int, default=32)
p.add_argument('--layers', type=int, default=2)
p.add_argument('--heads', type=int, default=2)
p.add_argument('--intermediate', type=int, default=64)
p.add_argument('--positions', type=int, default=128)
p.add_argument('--seed', type=int, default=7)
a = p.parse_args()
torch.manual_seed(a.seed)

special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
chars = list(string.ascii_lowercase + string.digits + string.punctuation)
vocab = special + chars + ['##' + c for c in string.ascii_lowercase + string.digits]
counts = collections.Counter()
for path in a.corpus:
    with open(path, encoding='utf-8') as f:
        counts.update(re.findall(r'[a-z]+', f.read().lower()))
for word, _ in counts.most_common():
    if len(vocab) >= a.vocab:
        break
    if len(word) > 1 and word not in vocab:
        vocab.append(word)
V = len(vocab)


class Layer(torch.nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(h, 3 * h)
        self.out = torch.nn.Linear(h, h)
        self.ln1 = torch.nn.LayerNorm(h, eps=1e-12)
        self.ff1 = torch.nn.Linear(h, inter)
        self.ff2 = torch.nn.Linear(inter, h)
        self.ln2 = torch.nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, bias):
        b, s, h = x.shape
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.ff2(torch.nn.functional.gelu(self.ff1(x))))


class TinyBert(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.words = torch.nn.Embedding(V, a.hidden)
        self.positions = torch.nn.Embedding(a.positions, a.hidden)
        self.types = torch.nn.Embedding(2, a.hidden)
        self.ln = torch.nn.LayerNorm(a.hidden, eps=1e-12)
        self.layers = torch.nn.ModuleList([Layer(a.hidden, a.heads, a.intermediate) for _ in range(a.layers)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.words(input_ids) + self.positions(pos) + self.types(token_type_ids))
        # Padding keys get -10000 before the softmax, as BERT's extended attention mask does.
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x


model = TinyBert().eval()
os.makedirs(os.path.join(a.out, 'onnx'), exist_ok=True)
ids = torch.randint(0, V, (2, 9))
mask = torch.ones(2, 9, dtype=torch.long)
types = torch.zeros(2, 9, dtype=torch.long)
axes = {0: 'batch', 1: 'sequence'}
torch.onnx.export(model, (ids, mask, types), os.path.join(a.out, 'onnx', 'model.onnx'),
                  input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['last_hidden_state'],
                  dynamic_axes={'input_ids': axes, 'attention_mask': axes, 'token_type_ids': axes, 'last_hidden_state': axes},
                  opset_version=14, do_constant_folding=True)

config = {
    'architectures': ['BertModel'], 'model_type': 'bert', 'vocab_size': V, 'hidden_size': a.hidden,
    'num_hidden_layers': a.layers, 'num_attention_heads': a.heads, 'intermediate_size': a.intermediate,
    'hidden_act': 'gelu', 'max_position_embeddings': a.positions, 'type_vocab_size': 2, 'layer_norm_eps': 1e-12,
    'pad_token_id': 0,
}
tokenizer = {
    'version': '1.0', 'truncation': None, 'padding': None,
    'added_tokens': [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True} for i, t in enumerate(special)],
    'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': True},
    'pre_tokenizer': {'type': 'BertPreTokenizer'},
    'post_processor': {
        'type': 'TemplateProcessing',
        'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
        'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
        'special_tokens': {'[CLS]': {'id': '[CLS]', 'ids': [2], 'tokens': ['[CLS]']}, '[SEP]': {'id': '[SEP]', 'ids': [3], 'tokens': ['[SEP]']}},
    },
    'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
    'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100, 'vocab': {t: i for i, t in enumerate(vocab)}},
}
tokenizer_config = {'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'model_max_length': a.positions, 'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'mask_token': '[MASK]'}
for name, value in [('config.json', config), ('tokenizer.json', tokenizer), ('tokenizer_config.json', tokenizer_config)]:
    with open(os.path.join(a.out, name), 'w', encoding='utf-8') as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write('\n')

# Reference embeddings for the tests (test/unit/training/text/pretrained.test.ts): a few texts
# tokenized by a plain WordPiece written here (lower-cased, split on spaces and punctuation,
# greedy longest match with ## continuations), run through the torch model in one padded batch,
# mean-pooled over the attention mask and L2-normalised, as sentence-transformers models are used.
def wordpiece(text):
    ids = [vocab.index('[CLS]')]
    for word in re.findall(r'[a-z0-9]+|[^\sa-z0-9]', text.lower()):
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            while end > start and (word[start:end] if start == 0 else '##' + word[start:end]) not in vocab:
                end -= 1
            if end == start:
                pieces = [vocab.index('[UNK]')]
                break
            pieces.append(vocab.index(word[start:end] if start == 0 else '##' + word[start:end]))
            start = end
        ids += pieces
    return ids + [vocab.index('[SEP]')]


texts = ['The state of the union is strong.', 'Free money!! Click here now', 'congress', '', 'Mr. Speaker, 2024 was a year of 42 promises']
encoded = [wordpiece(t) for t in texts]
width = max(len(e) for e in encoded)
ids = torch.tensor([e + [0] * (width - len(e)) for e in encoded])
mask = torch.tensor([[1] * len(e) + [0] * (width - len(e)) for e in encoded])
with torch.no_grad():
    hidden = model(ids, mask, torch.zeros_like(ids))
pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
pooled = pooled / pooled.norm(dim=1, keepdim=True)
with open(os.path.join(a.out, 'reference.json'), 'w', encoding='utf-8') as f:
    json.dump({'torch': torch.__version__, 'texts': texts, 'ids': encoded, 'embeddings': pooled.tolist()}, f, indent=1)
    f.write('\n')
print(f'{a.out}: vocabulary {V}, hidden {a.hidden}, {a.layers} layers, {a.heads} heads, onnx {os.path.getsize(os.path.join(a.out, "onnx", "model.onnx"))} bytes')
