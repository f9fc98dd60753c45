"""Checks `quotedb list --json` (file argv[1]) against the seed YAML file it
was imported from (argv[2]) with the standard library only: no YAML parser.

The seed files write every id and text as one double-quoted scalar on one
line, escaping only backslash, double quote and line feed (docs/format.md).
So each quote's text from the JSON, escaped that way again, must be the
bytes of the file's own text line, in the same order; likewise its id.
Prints what differs and exits 1, else prints the number of quotes checked.
"""
import json
import sys


def double_quoted(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') \
        .replace('\n', '\\n') + '"'


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        quotes = json.load(f)
    with open(sys.argv[2], 'rb') as f:
        lines = f.read().split(b'\n')
    texts = [l[len(b'    text: '):] for l in lines
             if l.startswith(b'    text: ')]
    ids = [l[len(b'  - id: '):] for l in lines if l.startswith(b'  - id: ')]
    bad = 0
    if len(quotes) != len(texts) or len(quotes) != len(ids):
        print('%d quotes in the JSON, %d texts and %d ids in the YAML'
              % (len(quotes), len(texts), len(ids)))
        bad += 1
    for q, t, i in zip(quotes, texts, ids):
        if double_quoted(q['text']).encode('utf-8') != t:
            print('text of %s differs:\n  json: %r\n  yaml: %r'
                  % (q['id'], q['text'], t))
            bad += 1
        if double_quoted(q['id']).encode('utf-8') != i:
            print('id %r is %r in the YAML' % (q['id'], i))
            bad += 1
    if bad:
        sys.exit(1)
    print(len(quotes))


main()
