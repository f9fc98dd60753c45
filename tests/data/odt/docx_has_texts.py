#!/usr/bin/env python3
"""docx_has_texts.py DOCX EXPECTED

Checks that every text in EXPECTED (UTF-8 texts separated by NUL bytes) is
the whole text of a paragraph of DOCX's word/document.xml, exactly: the
w:t runs of a paragraph concatenated, w:tab as a tab, w:br and w:cr as a
line feed, w:softHyphen and w:noBreakHyphen as U+00AD and U+2011.  Line
breaks in EXPECTED (CR LF, CR, NEL, U+2028, U+2029) are compared as a line
feed: a document has one kind of line break.  Used by tests/test_odt.c
after LibreOffice converted the odt plugin's .fodt.

Prints each missing text (as a Python literal) and exits 1 if any.
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(path):
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    for p in root.iter(W + "p"):
        out = []
        for e in p.iter():
            if e.tag == W + "t" and e.text:
                out.append(e.text)
            elif e.tag == W + "tab":
                out.append("\t")
            elif e.tag in (W + "br", W + "cr"):
                out.append("\n")
            elif e.tag == W + "softHyphen":
                out.append("\u00ad")
            elif e.tag == W + "noBreakHyphen":
                out.append("\u2011")
        yield "".join(out)


def main():
    have = {}
    for p in paragraphs(sys.argv[1]):
        have[p] = have.get(p, 0) + 1
    with open(sys.argv[2], "rb") as f:
        want = [t.decode("utf-8") for t in f.read().split(b"\0")[:-1]]
    missing = 0
    for t in want:
        t = re.sub("\r\n|[\r\x85\u2028\u2029]", "\n", t)
        if have.get(t, 0):
            have[t] -= 1
        else:
            print("missing: %r" % t)
            missing += 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
