"""Writes the draft the check benchmark reads (tests/bench/README.md).

Usage: draft.py CORPUS.yaml N WORDS QUOTATIONS OUT.md

A Markdown draft of about WORDS words of prose holding QUOTATIONS
quotations taken from the corpus of N quotes that gen wrote (sampled
evenly over all of it): half exact (a stretch of 6 to 20 words of a
stored quote, its speaker named), a fifth altered (a word dropped or
changed), a tenth misattributed (another sampled speaker named), a tenth
invented (unknown) and a tenth scare quotes (terms).  Deterministic.

Python 3 standard library only.
"""
import random
import sys

FILLER = (
    "the of and to a in is that it for this will be on are with as was "
    "all but by there their what from at has an would been which one more "
    "can do if who so about any were these when now very time today world "
    "those other only because should never every after before right new "
    "know think want believe continue also going years region report "
    "analysts observers chapter argument record question answer later "
    "earlier meanwhile however indeed perhaps certainly nevertheless week "
    "month morning evening statement interview speech letter source"
).split()

MARKS = set("\u201c\u201d\"\u00ab\u00bb\u201e\u2018\u2019'`*_[]<>\\#")


def unquote(v):
    """A double-quoted YAML scalar as gen writes it."""
    v = v.strip()
    if not (v.startswith('"') and v.endswith('"')):
        return v
    out, i, s = [], 0, v[1:-1]
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sample(path, n, want):
    """About want (text, speaker) pairs, evenly over the n quotes."""
    stride = max(1, n // want)
    picked, k, text = [], -1, None
    with open(path, encoding="utf-8") as f:
        in_quotes = False
        for line in f:
            if line.startswith("quotes:"):
                in_quotes = True
                continue
            if not in_quotes:
                continue
            s = line.lstrip()
            if line.startswith("  - "):
                k += 1
                text = None
                s = line[4:]
            if k % stride:
                continue
            if s.startswith("text: "):
                text = unquote(s[6:])
            elif s.startswith("speaker: ") and text is not None:
                picked.append((text, unquote(s[9:])))
                text = None
    return picked


def stretch(rng, text, lo, hi):
    """lo to hi words of text in a row, none with a mark in it."""
    words = text.split()
    ok = [i for i, w in enumerate(words) if not (set(w) & MARKS)]
    for _ in range(20):
        if len(words) < lo:
            return None
        m = rng.randint(lo, min(hi, len(words)))
        a = rng.randint(0, len(words) - m)
        if all(i in ok for i in range(a, a + m)):
            return words[a:a + m]
    return None


def prose(rng, n):
    w = [rng.choice(FILLER) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + "."


def main():
    path, n, words, nq, out = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rng = random.Random(20231007)
    pool = sample(path, n, 3 * nq)
    rng.shuffle(pool)
    speakers = [s for _, s in pool]
    paras, used, kinds = [], 0, {}
    per = max(1, words // nq)
    i = 0
    while len(paras) < nq and i < len(pool):
        text, speaker = pool[i]
        i += 1
        r = len(paras) % 10
        kind = ("exact" if r < 5 else "altered" if r < 7 else
                "misattributed" if r < 8 else "unknown" if r < 9 else "term")
        if kind == "unknown":
            q = " ".join(rng.choice(FILLER) for _ in range(9))
            who = rng.choice(speakers)
        elif kind == "term":
            q = " ".join(rng.choice(FILLER) for _ in range(2))
            who = None
        else:
            w = stretch(rng, text, 6, 20)
            if not w:
                continue
            if kind == "altered":
                k = rng.randrange(1, len(w))
                if rng.random() < 0.5:
                    del w[k]
                else:
                    w[k] = rng.choice(FILLER)
            q = " ".join(w)
            who = speaker
            if kind == "misattributed":
                others = [s for s in speakers if s != speaker]
                who = rng.choice(others)
        body = per - len(q.split()) - 6
        before = prose(rng, max(4, body // 2))
        after = prose(rng, max(4, body - body // 2))
        if who:
            line = "%s %s said \u201c%s\u201d on the record. %s" % (
                before, who, q, after)
        else:
            line = "%s It was a \u201c%s\u201d moment. %s" % (before, q,
                                                              after)
        paras.append(line)
        kinds[kind] = kinds.get(kind, 0) + 1
        used += len(line.split())
    with open(out, "w", encoding="utf-8") as f:
        f.write("# A draft for the check benchmark\n\n")
        for p in paras:
            f.write(p + "\n\n")
    print("%d words, %d quotations: %s" % (
        used, len(paras), ", ".join("%d %s" % (v, k)
                                   for k, v in sorted(kinds.items()))),
        file=sys.stderr)


if __name__ == "__main__":
    main()
