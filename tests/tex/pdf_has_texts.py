#!/usr/bin/env python3
"""pdf_has_texts.py PDFTEXT EXPECTED

Checks that every text in EXPECTED (UTF-8 texts separated by NUL bytes)
appears in PDFTEXT, the output of `pdftotext -enc UTF-8`.  Used by
tests/test_latex.c to prove that the LaTeX appendix prints each quotation
exactly.

Run pdftotext with -raw: its default mode joins a line ending in a hyphen
to the next line and drops the hyphen, real hyphens included.

What may differ, and only that: runs of whitespace (line and page breaks,
paragraph breaks, no-break spaces) compare equal to one another; a word may
be hyphenated at a line end ("exam-" newline "ple"); invisible characters
(soft hyphen, zero-width space and joiners, word joiner) vanish; both sides
are compared in Unicode NFC (an accent may come out as a combining mark);
and the ligature glyphs ff fi fl ffi ffl st and IJ ij compare equal to their
letters, whichever side has them.  The page numbers TeX puts at the foot of
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
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

# A hyphenation point: an optional hyphen, then a line end.
HYPHENATION = r"(?:-?[ \t]*\n\s*)?"


def normalise(s):
    s = unicodedata.normalize("NFC", s)
    for lig, letters in LIGATURES.items():
        s = s.replace(lig, letters)
    for c in INVISIBLE:
        s = s.replace(c, "")
    return s


def normalise_pdf(s):
    # the page number at the foot of each page, before the form feed
    s = re.sub(r"\n[ \t]*\d+[ \t]*\n*\f", "\n", s)
    return normalise(s.replace("\f", "\n"))


def pattern(text):
    words = normalise(text).split()
    return r"\s+".join(
        HYPHENATION.join(re.escape(c) for c in word) for word in words)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        pdf = normalise_pdf(f.read())
    with open(sys.argv[2], "rb") as f:
        texts = [t.decode("utf-8") for t in f.read().split(b"\0") if t]
    missing = [t for t in texts if not re.search(pattern(t), pdf)]
    for t in missing:
        print("missing: %r" % t)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
