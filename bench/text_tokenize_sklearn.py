"""Peer of bench/text_tokenize.mjs: scikit-learn's CountVectorizer.fit_transform over every
document of a corpus file (one per line): tokenizing, the vocabulary and the document-term
counts. --pattern ours uses our token definition ([^\\W_]+, letters and digits, any length)
instead of scikit-learn's default (\\b\\w\\w+\\b, two or more word characters).
Prints seconds=<fit_transform> and documents, vocabulary on stderr."""
import sys
import time

from sklearn.feature_extraction.text import CountVectorizer

path = sys.argv[1]
pattern = sys.argv[2] if len(sys.argv) > 2 else 'default'
with open(path, encoding='utf-8') as f:
    docs = f.read().split('\n')
if docs and docs[-1] == '':
    docs.pop()
vec = CountVectorizer() if pattern == 'default' else CountVectorizer(token_pattern=r'(?u)[^\W_]+')
started = time.perf_counter()
m = vec.fit_transform(docs)
seconds = time.perf_counter() - started
print(f'seconds={seconds} documents={len(docs)} vocabulary={len(vec.vocabulary_)} nnz={m.nnz}', file=sys.stderr)
