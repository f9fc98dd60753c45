#!/usr/bin/env python3
"""pdf_has_texts.py [--no-spaces] PDFTEXT EXPECTED

Checks that every text in EXPECTED (UTF-8 texts separated by NUL bytes)
appears in PDFTEXT, the output of `pdftotext -enc UTF-8`.  Used by
tests/test_latex.c to prove that the LaTeX appendix prints each quotation
exactly.

Run pdftotext with -raw: its default mode joins a line ending in a hyphen
to the next line and drops the hyphen, real hyphens included.

What may differ, and only that: runs of whitespace (line and page breaks,
paragraph breaks, no-break spaces) compare equal to one another; a word may
be hyphenated at a line end ("exam-" newline "ple"), or broken there without
a hyphen (a URL); invisible characters (soft hyphen, zero-width space and
joiners, word joiner, and the bidi marks and embeddings pdftotext wraps
right-to-left text in) vanish; both sides are compared in Unicode NFC (an
accent may come out as a combining mark), with whitespace before a
combining mark dropped (pdftotext puts a space before a mark drawn as a
glyph of its own) and the Arabic presentation forms a font's glyph names
give read as the letters they show (NFKC, for those characters only); and
the ligature glyphs ff fi fl ffi ffl st and IJ ij compare equal to their
letters, whichever side has them.

--no-spaces: whitespace is left out of both sides before they are
compared.  For right-to-left text, which is drawn in visual order:
pdftotext cannot put a line that mixes directions back into logical order
(it swaps phrases around punctuation and splits words at the lam-alef
ligature), while MuPDF's extractor (`mutool draw -F txt`) gives every
character in logical order, the order the text was stored in, but drops
most spaces.  So a document with right-to-left text is read with mutool
and compared without spaces: every other character, in order.  mutool
gives a mirrored character of right-to-left text (a parenthesis, a
bracket, a guillemet) as the glyph drawn, its mirror image, so in this
mode each pair compares equal to either of its two.  The page numbers
TeX puts at the foot of
a page are left out.  Everything else must match character for character: a
curly quote where the text has a straight one, or an en dash where it has
"--", is a failure.

Prints each missing text (as a Python literal) and exits 1 if any.
"""
import re
import sys
import unicodedata

LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl",
    "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    "\u0132": "IJ", "\u0133": "ij",
}
INVISIBLE = ("\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f"
             "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def presentation_form(c):
    o = ord(c)
    return 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF

# A hyphenation point or a break in a long token: an optional hyphen, then
# a line end (matches_at follows this expression, written out).
HYPHENATION = r"(?:-?[ \t]*\n\s*)?"


def normalise(s):
    s = "".join(unicodedata.normalize("NFKC", c) if presentation_form(c)
                else c for c in s)
    for c in INVISIBLE:
        s = s.replace(c, "")
    s = re.sub(r"\s+(?=[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff"
               r"\u20d0-\u20ff\ufe20-\ufe2f])", "", s)
    s = unicodedata.normalize("NFC", s)
    for lig, letters in LIGATURES.items():
        s = s.replace(lig, letters)
    return s


def normalise_pdf(s):
    # the page number at the foot of each page, before the form feed
    s = re.sub(r"\n[ \t]*\d+[ \t]*\n*\f", "\n", s)
    return normalise(s.replace("\f", "\n"))


def hyphenation_end(pdf, j):
    """Where HYPHENATION, matched at pdf[j], ends; -1 if it does not."""
    if j < len(pdf) and pdf[j] == "-":
        j += 1
    while j < len(pdf) and pdf[j] in " \t":
        j += 1
    if j >= len(pdf) or pdf[j] != "\n":
        return -1
    j += 1
    while j < len(pdf) and pdf[j].isspace():
        j += 1
    return j


def matches_at(want, pdf, start):
    """Whether want (normalised, words joined by one space) is in pdf at
    start: what a regular expression of its words joined by \\s+, each
    character by HYPHENATION, would match.  Written out, because that
    expression for a text of a MiB takes minutes to compile."""
    todo = [(0, start, False)]
    seen = set()
    while todo:
        i, j, hyphenated = todo.pop()
        while i < len(want):
            c = want[i]
            if c == " ":
                if j >= len(pdf) or not pdf[j].isspace():
                    break
                while j < len(pdf) and pdf[j].isspace():
                    j += 1
                i += 1
                hyphenated = False
                continue
            if i > 0 and want[i - 1] != " " and not hyphenated:
                h = hyphenation_end(pdf, j)
                if h >= 0 and (i, h) not in seen:
                    seen.add((i, h))
                    todo.append((i, h, True))
            if j >= len(pdf) or pdf[j] != c:
                break
            i += 1
            j += 1
            hyphenated = False
        else:
            return True
    return False


def found(text, pdf):
    want = " ".join(normalise(text).split())
    if not want:
        return True
    j = pdf.find(want[0])
    while j >= 0:
        if matches_at(want, pdf, j):
            return True
        j = pdf.find(want[0], j + 1)
    return False


# Bidi-mirrored pairs, one class each (see --no-spaces).
MIRRORED = {c: "[" + re.escape(a + b) + "]"
            for a, b in ("()", "[]", "{}", "<>", "\u00ab\u00bb")
            for c in (a, b)}


def pattern_no_spaces(text):
    return "-?".join(MIRRORED.get(c, re.escape(c))
                     for c in "".join(normalise(text).split()))


def main():
    args = sys.argv[1:]
    no_spaces = args[:1] == ["--no-spaces"]
    if no_spaces:
        args = args[1:]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0], encoding="utf-8") as f:
        pdf = normalise_pdf(f.read())
    with open(args[1], "rb") as f:
        texts = [t.decode("utf-8") for t in f.read().split(b"\0") if t]
    if no_spaces:
        pdf = "".join(pdf.split())
        missing = [t for t in texts
                   if not re.search(pattern_no_spaces(t), pdf)]
    else:
        missing = [t for t in texts if not found(t, pdf)]
    for t in missing:
        print("missing: %r" % t)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
