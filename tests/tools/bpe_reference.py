"""A reference byte-level BPE, written from the rule in runtime/data/Bpe.h
and nothing else of Loom's: it cuts the text into pieces, learns merges by
recounting every pair after each merge (slow, plainly right), and encodes
by applying the merges in the order learned.

usage: bpe_reference.py TEXT TOKENIZER_JSON TOKENS_BIN
Checks that Loom's tokenizer learned the same merges from TEXT, that its
token file (u16) is the reference encoding of TEXT, and that decoding the
token file gives TEXT back byte for byte."""
import json
import sys
from collections import Counter

MAX_PIECE = 64


def cls(b):
    if 97 <= b <= 122 or 65 <= b <= 90 or b >= 0x80:
        return "L"
    if 48 <= b <= 57:
        return "N"
    if b in b" \t\n\r\v\f":
        return "S"
    return "P"


def pieces(text):
    out, i, n = [], 0, len(text)

    def emit(a, b):
        for s in range(a, b, MAX_PIECE):
            out.append(text[s:min(b, s + MAX_PIECE)])

    while i < n:
        c = cls(text[i])
        if c == "S":
            j = i
            while j < n and cls(text[j]) == "S":
                j += 1
            if j < n and text[j - 1] == 32:
                # the space before a non-space goes with what follows
                if j - 1 > i:
                    emit(i, j - 1)
                k = j
                while k < n and cls(text[k]) == cls(text[j]):
                    k += 1
                emit(j - 1, k)
                i = k
            else:
                emit(i, j)
                i = j
            continue
        j = i
        while j < n and cls(text[j]) == c:
            j += 1
        emit(i, j)
        i = j
    return out


def merge(ids, pair, new):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train(text, vocab):
    words = Counter(pieces(text))
    seqs = {w: list(w) for w in words}
    merges = []
    while 256 + len(merges) < vocab:
        counts = Counter()
        for w, n in words.items():
            s = seqs[w]
            for p in zip(s, s[1:]):
                counts[p] += n
        best = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        assert best[1] >= 2, "ran out of pairs"
        new = 256 + len(merges)
        merges.append(best[0])
        for w in seqs:
            seqs[w] = merge(seqs[w], best[0], new)
    return merges


def encode(text, merges):
    out = []
    for p in pieces(text):
        ids = list(p)
        for m, pair in enumerate(merges):
            ids = merge(ids, pair, 256 + m)
        out += ids
    return out


text = open(sys.argv[1], "rb").read()
tok = json.load(open(sys.argv[2]))
theirs = [tuple(m) for m in tok["merges"]]
assert b"".join(pieces(text)) == text
ours = train(text, tok["vocab_size"])
if ours != theirs:
    first = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
    sys.exit(f"merge {first}: reference {ours[first]}, loom {theirs[first]}")
data = open(sys.argv[3], "rb").read()
ids = [data[i] | data[i + 1] << 8 for i in range(0, len(data), 2)]
want = encode(text, theirs)
if ids != want:
    first = next((i for i, (a, b) in enumerate(zip(ids, want)) if a != b),
                 min(len(ids), len(want)))
    sys.exit(f"token {first} of {len(want)}: reference "
             f"{want[first:first + 5]}, loom {ids[first:first + 5]}")
vocab = [bytes([b]) for b in range(256)]
for a, b in theirs:
    vocab.append(vocab[a] + vocab[b])
if b"".join(vocab[i] for i in ids) != text:
    sys.exit("the tokens do not decode to the text")
print(f"{len(theirs)} merges and {len(ids)} tokens agree; decodes exactly")
