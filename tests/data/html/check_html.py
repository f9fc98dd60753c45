#!/usr/bin/env python3
"""check_html.py PAGE JSONL TITLE [PDFTEXT]

Checks the html export PAGE against the JSON Lines export JSONL of the
same quotes in the same order (the json plugin's own tests show it holds
the stored bytes):

- html5lib parses PAGE without a single parse error;
- the page runs and fetches nothing: no script, no element that loads a
  resource, no url() or @import in its CSS; its title is TITLE;
- there is one schema.org Quotation per quote, and the text of its
  blockquote is the stored text exactly (NEL, which HTML cannot carry,
  is a line break); lang is the quote's language, dir is rtl for the
  right-to-left languages and scripts, ltr for others, auto without a
  language; cite is the source URL when it is http(s);
- the microdata: creator (a Person) has the speaker's name, dateCreated
  is the date when it is a plain ISO date and absent otherwise, isPartOf
  has the source's title and, for an http(s) URL, its url; the caption
  holds the role, outlet, programme, occasion and locator;
- with PDFTEXT (pdftotext -raw of the page printed by Chromium), every
  left-to-right text is in it, compared without whitespace (the PDF
  wraps lines; right-to-left text comes out of a PDF in visual order, so
  its direction is checked above instead).

Prints each difference; exits 1 if there is any.
"""
import json
import re
import sys
import unicodedata

import html5lib

RTL_LANGS = {"ar", "fa", "he", "ur", "ps", "yi", "ckb", "sd", "ug", "dv",
             "iw", "ji"}
RTL_SCRIPTS = {"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg",
               "mand", "samr", "mend"}
SCHEMA = "https://schema.org/"
bad = 0


def fail(msg):
    global bad
    bad += 1
    print(msg)


def want_dir(lang):
    if lang is None:
        return "auto"
    sub = re.split(r"[-_]", lang)
    if len(sub) > 1 and len(sub[1]) == 4:
        return "rtl" if sub[1].lower() in RTL_SCRIPTS else "ltr"
    return "rtl" if sub[0].lower() in RTL_LANGS else "ltr"


def text(el):
    return "".join(el.itertext())


def props(scope, name):
    """The elements with itemprop name that belong to scope's item."""
    found = []

    def walk(el):
        for c in el:
            if c.get("itemprop") == name:
                found.append(c)
            if c.get("itemscope") is None:
                walk(c)
    walk(scope)
    return found


def web(url):
    return url is not None and re.match(r"(?i)https?://", url) is not None


def is_rtl(s):
    return any(unicodedata.bidirectional(c) in ("R", "AL") and
               unicodedata.category(c).startswith("L") for c in s)


def squeeze(s):
    """s without whitespace, nor the bidi embeddings pdftotext adds
    around a right-to-left run (or the marks it keeps or drops)."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "",
                  s)


def main():
    page, jpath, title = sys.argv[1], sys.argv[2], sys.argv[3]
    pdf = open(sys.argv[4], encoding="utf-8").read() if len(sys.argv) > 4 \
        else None
    quotes = [json.loads(l) for l in open(jpath, encoding="utf-8")]
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    doc = parser.parse(open(page, "rb").read(),
                       transport_encoding="utf-8")
    for pos, err, data in parser.errors:
        fail("parse error at %s: %s %s" % (pos, err, data))
    for el in doc.iter():
        if el.tag in ("script", "iframe", "img", "link", "object",
                      "embed", "video", "audio", "source", "base"):
            fail("<%s> on the page" % el.tag)
        for a in el.attrib:
            if a == "src" or a.startswith("on"):
                fail("attribute %s on <%s>" % (a, el.tag))
    css = "".join(text(s) for s in doc.iter("style"))
    if "url(" in css or "@import" in css:
        fail("the CSS loads something")
    if "break-inside: avoid" not in css or "@page" not in css:
        fail("no print CSS")
    t = doc.find(".//title")
    if t is None or text(t) != title:
        fail("title %r != %r" % (None if t is None else text(t), title))
    figs = [f for f in doc.iter("figure")
            if f.get("itemtype") == SCHEMA + "Quotation"]
    if len(figs) != len(quotes):
        fail("%d quotations, %d quotes" % (len(figs), len(quotes)))
    for f, q in zip(figs, quotes):
        qid = q["id"]
        bq = f.find("blockquote")
        want = q["text"].replace("\x85", "\n")
        if bq is None or text(bq) != want:
            fail("%s: text %r != %r" % (qid, None if bq is None
                                        else text(bq), want))
            continue
        if bq.get("itemprop") != "text":
            fail("%s: blockquote is not the item's text" % qid)
        if bq.get("lang") != q["language"]:
            fail("%s: lang %r != %r" % (qid, bq.get("lang"),
                                         q["language"]))
        if bq.get("dir") != want_dir(q["language"]):
            fail("%s: dir %r for %r" % (qid, bq.get("dir"),
                                         q["language"]))
        src = q["source"] or {}
        url = src.get("url")
        if bq.get("cite") != (url if web(url) else None):
            fail("%s: cite %r, url %r" % (qid, bq.get("cite"), url))
        cr = props(f, "creator")
        if len(cr) != 1 or cr[0].get("itemtype") != SCHEMA + "Person" or \
                [text(n) for n in props(cr[0], "name")] != [q["speaker"]]:
            fail("%s: creator is not the Person %r" % (qid, q["speaker"]))
        dc = props(f, "dateCreated")
        iso = q["date"] is not None and \
            re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", q["date"])
        got = [d.get("datetime") for d in dc]
        if got != ([q["date"]] if iso else []):
            fail("%s: dateCreated %r for date %r" % (qid, got, q["date"]))
        part = props(f, "isPartOf")
        if src.get("title") is None:
            if part:
                fail("%s: isPartOf without a source" % qid)
        else:
            names = [text(n) for p in part for n in props(p, "name")]
            urls = [u.get("href") for p in part for u in props(p, "url")]
            if names != [src["title"]]:
                fail("%s: isPartOf name %r" % (qid, names))
            if urls != ([url] if web(url) else []):
                fail("%s: isPartOf url %r, url %r" % (qid, urls, url))
        cap = f.find("figcaption")
        cap = text(cap) if cap is not None else ""
        for k in ("speaker", "role", "outlet", "programme", "occasion",
                  "date_text", "reported_by", "locator"):
            if q[k] is not None and q[k] not in cap:
                fail("%s: %s %r not in the caption" % (qid, k, q[k]))
        if pdf is not None and not is_rtl(q["text"]) and \
                squeeze(want) not in squeeze(pdf):
            fail("%s: text not in the PDF: %r" % (qid, want))
    return 1 if bad else 0


sys.exit(main())
