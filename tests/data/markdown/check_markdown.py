#!/usr/bin/env python3
"""check_markdown.py MD JSONL DIR

Turns the markdown export MD into HTML and into DOCX with pandoc (its
default markdown reader, smart punctuation and all; files in DIR) and
checks both against the JSON Lines export JSONL of the same quotes in the
same order (the json plugin's own tests show it holds the stored bytes):

- HTML, read with html.parser: one blockquote per quote, holding nothing
  but paragraphs and line breaks (no text became markup), its text the
  stored text; after each, the attribution, with only the outlet in
  <em>, holding speaker, role, outlet, programme, occasion, date and
  source title; the h2 headings are the speakers, once each, in order;
- DOCX, word/document.xml read with zipfile and ElementTree: the Block
  Text paragraphs of each quote hold the stored text, without a link.

Texts are compared as a reader sees them: the line breaks of every kind
as line breaks, a run of them with an empty line as a paragraph break,
a run of spaces and tabs as one space, none at a line's ends (Markdown
cannot keep them; see plugins/markdown.c).  Prints each difference;
exits 1 if there is any.
"""
import html.parser
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

bad = 0


def fail(msg):
    global bad
    bad += 1
    print(msg)


def norm(s):
    s = re.sub(r"\r\n|[\r\x85\u2028\u2029]", "\n", s)
    out, blank = [], False
    for line in s.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip(" \t")
        if not line:
            blank = True
            continue
        if out:
            out.append("\n\n" if blank else "\n")
        out.append(line)
        blank = False
    return "".join(out)


def flat(s):
    """A one-line field as the attribution shows it."""
    return re.sub(r"\s+", " ", norm(s)).strip()


class Reader(html.parser.HTMLParser):
    """Blockquotes, the paragraph after each, and the headings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.quotes, self.captions, self.h2 = [], [], []
        self.stack, self.buf, self.paras = [], None, None
        self.after_quote = False

    def handle_starttag(self, tag, attrs):
        inside = "blockquote" in self.stack
        if tag == "br":
            if self.buf is not None:
                self.buf.append("\n")
            if not inside and self.buf is None:
                fail("a <br> outside a quotation")
            return
        if inside and tag != "p":
            fail("<%s> inside a quotation: text became markup" % tag)
        if tag == "blockquote":
            self.paras = []
        elif tag == "p" and inside:
            self.buf = []
        elif tag == "p" and self.after_quote:
            self.buf = []
        elif tag in ("h1", "h2"):
            self.buf = []
        elif self.buf is not None and tag != "em":
            fail("<%s> inside an attribution" % tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "br":
            return
        self.stack.pop()
        text = "".join(self.buf) if self.buf is not None else None
        if tag == "p" and "blockquote" in self.stack:
            self.paras.append(text)
            self.buf = None
        elif tag == "blockquote":
            self.quotes.append("\n\n".join(self.paras))
            self.after_quote = True
        elif tag == "p" and self.after_quote and text is not None:
            self.captions.append(text)
            self.after_quote = False
            self.buf = None
        elif tag == "h2":
            self.h2.append(text)
            self.buf = None
        elif tag == "h1":
            self.buf = None

    def handle_data(self, data):
        if self.buf is not None:
            # a newline in HTML source is a space; <br> is the break
            self.buf.append(data.replace("\n", " "))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_quotes(path):
    """Each run of consecutive Block Text paragraphs, as one text."""
    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    quotes, cur = [], None
    for p in root.iter(W + "p"):
        st = p.find("%spPr/%spStyle" % (W, W))
        style = st.get(W + "val") if st is not None else ""
        if style != "BlockText":
            if cur is not None:
                quotes.append("\n\n".join(cur))
            cur = None
            continue
        if p.find(".//%shyperlink" % W) is not None:
            fail("a link in a quotation")
        text = []
        for el in p.iter():
            if el.tag == W + "t":
                text.append(el.text or "")
            elif el.tag == W + "br":
                text.append("\n")
            elif el.tag == W + "tab":
                text.append("\t")
        cur = (cur or []) + ["".join(text)]
    if cur is not None:
        quotes.append("\n\n".join(cur))
    return quotes


def compare(label, got, quotes):
    if len(got) != len(quotes):
        fail("%s: %d quotations, %d quotes" % (label, len(got),
                                              len(quotes)))
    for g, q in zip(got, quotes):
        if norm(g) != norm(q["text"]):
            fail("%s: %s: %r != %r" % (label, q["id"], norm(g),
                                        norm(q["text"])))


def main():
    md, jpath, d = sys.argv[1], sys.argv[2], sys.argv[3]
    quotes = [json.loads(l) for l in open(jpath, encoding="utf-8")]
    html_path, docx_path = d + "/md.html", d + "/md.docx"
    for out in (html_path, docx_path):
        r = subprocess.run(["pandoc", "-f", "markdown", md, "-o", out],
                           capture_output=True)
        if r.returncode != 0:
            fail("pandoc -o %s: %s" % (out, r.stderr.decode()))
            return 1
    rd = Reader()
    rd.feed(open(html_path, encoding="utf-8").read())
    rd.close()
    compare("html", rd.quotes, quotes)
    speakers = []
    for q in quotes:
        if not speakers or speakers[-1] != q["speaker"]:
            speakers.append(q["speaker"])
    if [flat(h) for h in rd.h2] != [flat(s) for s in speakers]:
        fail("headings %r != speakers %r" % (rd.h2, speakers))
    for cap, q in zip(rd.captions, quotes):
        src = q["source"] or {}
        for k, v in list(q.items()) + [("source.title", src.get("title"))]:
            if k in ("speaker", "role", "outlet", "programme", "occasion",
                     "date", "date_text", "reported_by", "locator",
                     "source.title") and v is not None and \
                    flat(v) not in flat(cap):
                fail("%s: %s %r not in the attribution %r" % (
                     q["id"], k, v, cap))
    if len(rd.captions) != len(quotes):
        fail("%d attributions, %d quotes" % (len(rd.captions),
                                             len(quotes)))
    compare("docx", docx_quotes(docx_path), quotes)
    return 1 if bad else 0


sys.exit(main())
