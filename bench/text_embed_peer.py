"""Peer of bench/text_embed.mjs: the same BERT shape in PyTorch (Debian's python3-torch 1.13), as a
careful user runs a sentence encoder there: word + position + token-type embeddings and LayerNorm,
then torch.nn.TransformerEncoder (post-LN, GELU, batch_first; eval mode and no_grad, so torch's
fused fast path for padded batches applies), mean pooling over the attention mask and L2
normalisation. Weights are random (the shape is read from the model's config.json): speed does not
depend on them. The token ids come from our tokenizer (ids.json, written by the bench), so this
side's timed span is the forward pass and pooling only, without tokenizing: it favours the peer.
Prints seconds=<span> texts=<n> texts_per_second=<r> threads=<t> on stderr.
Threads: THREADS intra-op threads (torch.set_num_threads); Debian's PyTorch starts with 1 here
(the bench's default, --peer-threads), ONNX Runtime (our side) uses one per core.
Usage: python3 bench/text_embed_peer.py CONFIG_JSON IDS_JSON [BATCH] [THREADS]"""
import json
import sys
import time

import torch

config = json.load(open(sys.argv[1]))
ids = json.load(open(sys.argv[2]))
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
if len(sys.argv) > 4:
    torch.set_num_threads(int(sys.argv[4]))
h = config['hidden_size']
torch.manual_seed(0)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.words = torch.nn.Embedding(config['vocab_size'], h)
        self.positions = torch.nn.Embedding(config['max_position_embeddings'], h)
        self.types = torch.nn.Embedding(config['type_vocab_size'], h)
        self.ln = torch.nn.LayerNorm(h, eps=config['layer_norm_eps'])
        layer = torch.nn.TransformerEncoderLayer(h, config['num_attention_heads'], config['intermediate_size'], dropout=0.0, activation='gelu', layer_norm_eps=config['layer_norm_eps'], batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, config['num_hidden_layers'], enable_nested_tensor=True)

    def forward(self, input_ids, mask):
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.ln(self.words(input_ids) + self.positions(pos) + self.types(torch.zeros_like(input_ids)))
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return pooled / pooled.norm(dim=1, keepdim=True)


model = Encoder().eval()
with torch.no_grad():
    started = time.perf_counter()
    for s in range(0, len(ids), batch):
        rows = ids[s:s + batch]
        width = max(len(r) for r in rows)
        x = torch.tensor([r + [0] * (width - len(r)) for r in rows])
        m = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        model(x, m)
    seconds = time.perf_counter() - started
print(f'seconds={seconds} texts={len(ids)} texts_per_second={len(ids) / seconds} threads={torch.get_num_threads()}', file=sys.stderr)
