#!/usr/bin/env python3
"""check_texts.py html|docx FILE QUOTES.yaml ID...

Checks that the text of every quote ID of QUOTES.yaml (a quotedb YAML
file) is in FILE, an HTML page or a DOCX document made by pandoc from a
draft `quotedb render` wrote.  Used by tests/test_render.c.

The text is read back as a reader gets it: from HTML, the document's
character data with entities decoded (a <br> is a line break); from DOCX,
the w:t runs of word/document.xml paragraph by paragraph (w:br a line
break, w:tab a tab).  Runs of whitespace compare equal to one another,
as both formats lay text out; every other character must match.

Prints each missing text and exits 1 if any.
"""
import html.parser
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

import yaml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "li", "blockquote", "h1", "h2"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(path):
    p = Text()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return "".join(p.parts)


def docx_text(path):
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    out = []
    for para in root.iter(W + "p"):
        for el in para.iter():
            if el.tag == W + "t":
                out.append(el.text or "")
            elif el.tag == W + "br":
                out.append("\n")
            elif el.tag == W + "tab":
                out.append("\t")
        out.append("\n")
    return "".join(out)


def norm(s):
    return re.sub(r"\s+", " ", s)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    kind, path, qpath = sys.argv[1:4]
    doc = norm(html_text(path) if kind == "html" else docx_text(path))
    with open(qpath, encoding="utf-8") as f:
        quotes = {q["id"]: q["text"] for q in yaml.safe_load(f)["quotes"]}
    missing = [i for i in sys.argv[4:] if norm(quotes[i]) not in doc]
    for i in missing:
        print("missing %s: %r" % (i, quotes[i]))
    if missing:
        print("document text: %r" % doc[:3000])
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
