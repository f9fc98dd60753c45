"""The quotedb benchmark driver (make bench; see tests/bench/README.md).

For each N in BENCH_N it generates the corpus (build/bench/gen), then times
quotedb's import and exports, their references and the query benchmark,
prints a table and writes tests/bench/results-<N>.json; then it merges
every results-<N>.json into results.json and, when there are several N,
plots tests/bench/results.png with gnuplot.

Python 3 standard library only.
"""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
B = os.path.join(ROOT, "build")
BB = os.path.join(B, "bench")
DATA = os.path.join(BB, "data")
CLI = os.path.join(B, "quotedb")
RUNX = os.path.join(BB, "runx")
MIB = 1024.0

# The CSV plugin's columns, from the cursor's joins (core/cursor.c).
SQLITE_CSV = (
    "SELECT q.text, s.name AS speaker, q.role, q.date, q.date_text,"
    " o.name AS outlet, q.programme, q.occasion, q.reported_by,"
    " src.title AS source, q.locator, q.language, q.translated, q.context,"
    " replace(q.tags, char(31), '; ') AS tags, q.id"
    " FROM quotes q JOIN speakers s ON s.id = q.speaker_id"
    " LEFT JOIN outlets o ON o.id = q.outlet_id"
    " LEFT JOIN sources src ON src.id = q.source_id ORDER BY q.qid")

# Targets (set for N = 1,000,000; shown at every N for reference).
TARGETS = {
    "csv_vs_sqlite3": ("<=", 1.0),
    "latex_vs_csv": ("<=", 1.1),
    "yaml_export_vs_floor": ("<=", 1.2),
    "import_vs_floor_fts": ("<=", 0.85),
    "pyyaml_import_vs_import": (">=", 15.0),
    "search_p50_vs_raw": ("<=", 1.2),
    "filter_p50_ms": ("<", 5.0),
    "export_rss_mib": ("<", 16.0),
    "import_rss_mib": ("<", 64.0),
    "check_s": ("<", 2.0),
    "check_rss_mib": ("<", 64.0),
    "sync_unchanged_s": ("<", 0.5),
}


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit("bench: %s must be a number" % name)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def runx(argv, out=None, ok=(0,)):
    """Runs argv under runx; returns (wall s, CPU s, peak RSS KiB).  ok:
    the exit statuses that are no failure (check exits 1 on a draft with
    an altered quotation)."""
    cmd = [RUNX] + (["-o", out] if out else []) + argv
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    lines = p.stderr.strip().splitlines()
    stat = [l for l in lines if l.startswith("runx: ")]
    if p.returncode not in ok or not stat:
        sys.exit("bench: failed: %s\n%s" % (" ".join(argv), p.stderr))
    f = dict(kv.split("=") for kv in stat[-1][6:].split())
    return (float(f["wall"]), float(f["user"]) + float(f["sys"]),
            int(f["maxrss_kib"]))


def rm_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def measure(name, argv, runs, warmup=1, out=None, before=None, ok=(0,)):
    """Times argv runs times after warmup untimed runs."""
    walls, cpus, rss = [], [], []
    for i in range(warmup + runs):
        if before:
            before()
        w, c, r = runx(argv, out, ok)
        if i >= warmup:
            walls.append(w)
            cpus.append(c)
            rss.append(r)
    res = {
        "median_s": statistics.median(walls), "min_s": min(walls),
        "max_s": max(walls), "runs": walls, "warmup": warmup,
        "rss_kib": max(rss), "rss_runs_kib": rss,
        "cpu_median_s": statistics.median(cpus), "cpu_runs_s": cpus,
    }
    log("  %-22s median %8.3f s  min %8.3f  max %8.3f  cpu %8.3f s  "
        "rss %7.1f MiB" % (name, res["median_s"], res["min_s"],
                           res["max_s"], res["cpu_median_s"],
                           res["rss_kib"] / MIB))
    return res


def machine():
    model, cores = "unknown", 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("processor"):
                    cores += 1
    except OSError:
        pass
    return {"cpu_model": model, "cores": cores or os.cpu_count()}


def git_commit():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True).stdout
        return rev or "unknown", bool(dirty.strip())
    except OSError:
        return "unknown", False


def has_pyyaml():
    return subprocess.run([sys.executable, "-c", "import yaml; yaml.CLoader"],
                          capture_output=True).returncode == 0


def split_corpus(src, outdir, nfiles):
    """Writes the corpus as nfiles YAML files of consecutive quotes, each
    with the corpus's source:, speakers: and outlets: (aliases belong to
    their file).  Streams: one quote's lines in memory at a time."""
    os.makedirs(outdir, exist_ok=True)
    for old in glob.glob(os.path.join(outdir, "*.yaml")):
        os.remove(old)
    total = 0
    with open(src, "rb") as f:
        head = []
        for line in f:
            head.append(line)
            if line.startswith(b"quotes:"):
                break
        for line in f:
            total += line.startswith(b"  - ")
    per = -(-total // nfiles)
    with open(src, "rb") as f:
        for line in f:
            if line.startswith(b"quotes:"):
                break
        k, seen, out = -1, 0, None
        for line in f:
            if line.startswith(b"  - "):
                if seen % per == 0:
                    if out:
                        out.close()
                    k += 1
                    out = open(os.path.join(outdir, "part-%03d.yaml" % k),
                               "wb")
                    out.writelines(head)
                seen += 1
            out.write(line)
        if out:
            out.close()


def edit_part(path, run):
    """Changes the text of the file's first quote: a different edit each
    run, so that each sync has one quote to change in place."""
    with open(path, "rb") as f:
        data = f.read()
    mark = b'    text: "'
    i = data.index(mark) + len(mark)
    j = data.index(b"\n", i)
    old = data[i:j]
    if old.startswith(b"[edit "):
        old = old[old.index(b"] ") + 2:]
    data = (data[:i] + b"[edit %d] " % run + old + data[j:])
    with open(path, "wb") as f:
        f.write(data)


def bench_one(n, runs, passes, py_ns):
    os.makedirs(DATA, exist_ok=True)
    notes = []
    load0 = os.getloadavg()
    src = os.path.join(DATA, "quotes-%d.yaml" % n)
    gen = os.path.join(BB, "gen")
    if (not os.path.exists(src)
            or os.path.getmtime(src) < os.path.getmtime(gen)):
        log("generating %d quotes into %s" % (n, src))
        t0 = time.time()
        subprocess.run([gen, str(n), src], check=True)
        log("  took %.1f s" % (time.time() - t0))
    ops = {}
    db = os.path.join(DATA, "quotedb-%d.db" % n)
    fdb = os.path.join(DATA, "floor-%d.db" % n)
    pdb = os.path.join(DATA, "py-%d.db" % n)
    out = os.path.join(DATA, "out-%d" % n)
    os.makedirs(out, exist_ok=True)
    log("N = %d (%d runs after a warm-up)" % (n, runs))

    ops["import"] = measure("import", [CLI, "--db", db, "import", src],
                            runs, before=lambda: rm_db(db))
    ops["floor_import"] = measure(
        "floor parse+insert", [os.path.join(BB, "floor_import"), fdb, src],
        runs, before=lambda: rm_db(fdb))
    ops["floor_import_fts"] = measure(
        "floor parse+insert+fts",
        [os.path.join(BB, "floor_import"), "--fts", fdb, src],
        runs, before=lambda: rm_db(fdb))
    # The best a single thread does: the rows, then FTS5's 'rebuild'.
    ops["floor_import_rebuild"] = measure(
        "floor insert, rebuild",
        [os.path.join(BB, "floor_import"), "--fts-rebuild", fdb, src],
        runs, before=lambda: rm_db(fdb))
    use_py = n in py_ns
    if use_py and not has_pyyaml():
        notes.append("PyYAML (with its C loader) is not installed: the "
                     "Python routes were skipped")
        use_py = False
    py_runs = env_int("BENCH_PY_RUNS", 1)
    if use_py:
        ops["pyyaml_import"] = measure(
            "pyyaml import", [sys.executable,
                              os.path.join(HERE, "py_import.py"), pdb, src],
            py_runs, warmup=0, before=lambda: rm_db(pdb))
        rm_db(pdb)

    # sync: the corpus as 100 files, synced once into a database of its
    # own (untimed), then again unchanged, and after one file changed.
    parts = os.path.join(DATA, "parts-%d" % n)
    sdb = os.path.join(DATA, "sync-%d.db" % n)
    log("  splitting the corpus into 100 files")
    split_corpus(src, parts, 100)
    rm_db(sdb)
    runx([CLI, "--db", sdb, "sync", parts])
    ops["sync_unchanged"] = measure(
        "sync unchanged", [CLI, "--db", sdb, "sync", parts], runs)
    edits = iter(range(1000))
    ops["sync_one_file"] = measure(
        "sync one changed file", [CLI, "--db", sdb, "sync", parts], runs,
        before=lambda: edit_part(os.path.join(parts, "part-000.yaml"),
                                 next(edits)))

    def export(fmt, ext, *opts):
        return [CLI, "--db", db, "export", "--format", fmt, "-o",
                os.path.join(out, "quotes." + ext)] + list(opts)
    ops["export_csv"] = measure("export csv", export("csv", "csv"), runs)
    ops["sqlite3_csv"] = measure(
        "sqlite3 -csv", ["sqlite3", "-readonly", "-csv", "-header", db,
                         SQLITE_CSV], runs,
        out=os.path.join(out, "sqlite3.csv"))
    ops["export_yaml"] = measure("export yaml", export("yaml", "yaml"), runs)
    ops["floor_emit"] = measure(
        "floor libyaml emit", [os.path.join(BB, "floor_emit"), db,
                               os.path.join(out, "floor.yaml")], runs)
    if use_py:
        ops["pyyaml_dump"] = measure(
            "pyyaml dump", [sys.executable, os.path.join(HERE, "py_dump.py"),
                            db, os.path.join(out, "pyyaml.yaml")],
            py_runs, warmup=0)
    if os.path.exists(os.path.join(B, "plugins", "latex.so")):
        # charset=any: the corpus has Hangul, CJK and Devanagari, which
        # the default (latin) refuses.  The CLI sorts a LaTeX export by
        # speaker, the plugin's default grouping.  What the escaping
        # costs is measured against a CSV export in that same order:
        # reading the rows by speaker is a walk of the table in index
        # order, not in rowid order, whatever the format.
        ops["export_latex"] = measure(
            "export latex", export("latex", "tex", "-O", "charset=any"),
            runs)
        ops["export_csv_speaker"] = measure(
            "export csv by speaker",
            export("csv", "speaker.csv", "--sort", "speaker"), runs)
    else:
        notes.append("build/plugins/latex.so is missing: LaTeX export "
                     "not measured")
    # The formats for writers' tools: one entry per source (csl-json,
    # biblatex, sorted by source) and the appendix as flat ODF (sorted by
    # speaker).  No reference of their own: their peak RSS counts among
    # the exports', which must stay flat in N.
    for fmt, ext in (("csl-json", "json"), ("biblatex", "bib"),
                     ("odt", "fodt")):
        if os.path.exists(os.path.join(B, "plugins", fmt + ".so")):
            ops["export_" + fmt.replace("-", "_")] = measure(
                "export " + fmt, export(fmt, ext), runs)
        else:
            notes.append("build/plugins/%s.so is missing: not measured"
                         % fmt)
    # The json export walks the table in rowid order, like the CSV; the
    # markdown and html appendices sort by speaker, like the LaTeX one,
    # and are compared with the CSV export in that same order.
    # latex-data with charset=any, as the LaTeX export (the corpus has
    # Hangul, CJK and Devanagari).
    for fmt, ext, ref, opts in (
            ("json", "jsonl", "export_csv", ()),
            ("spreadsheet", "xml", "export_csv", ()),
            ("latex-data", "data.tex", "export_csv", ("-O", "charset=any")),
            ("markdown", "md", "export_csv_speaker", ()),
            ("html", "html", "export_csv_speaker", ())):
        if not os.path.exists(os.path.join(B, "plugins", fmt + ".so")):
            notes.append("build/plugins/%s.so is missing: not measured"
                         % fmt)
            continue
        if ref == "export_csv_speaker" and ref not in ops:
            ops[ref] = measure(
                "export csv by speaker",
                export("csv", "speaker.csv", "--sort", "speaker"), runs)
        ops["export_" + fmt.replace("-", "_")] = measure(
            "export " + fmt, export(fmt, ext, *opts), runs)
    # The floor's output is the plugin's, byte for byte: say when not.
    if not same_file(os.path.join(out, "quotes.yaml"),
                     os.path.join(out, "floor.yaml")):
        notes.append("the yaml export and floor_emit outputs differ")

    # check: a draft of 100,000 words with 1,000 quotations taken from
    # the corpus (draft.py), and one of 10,000 words with 100, for how
    # the time grows with the draft.
    for words, nq in ((10000, 100), (100000, 1000)):
        draft = os.path.join(DATA, "draft-%d-%d.md" % (n, words))
        if not os.path.exists(draft):
            subprocess.run([sys.executable, os.path.join(HERE, "draft.py"),
                            src, str(n), str(words), str(nq), draft],
                           check=True)
        ops["check_%d" % words] = measure(
            "check %d words" % words, [CLI, "--db", db, "check", draft],
            runs, ok=(0, 1))

    # render: a manuscript of about 100,000 words citing 1,000 quotes
    # spread evenly over the collection ({{q:ID}}), to Markdown; extract:
    # the 100,000-word draft check reads, into a draft collection.
    ms = os.path.join(DATA, "manuscript-%d.md" % n)
    if not os.path.exists(ms):
        write_manuscript(db, ms, 1000, 100)
    ops["render"] = measure(
        "render 1000 cites", [CLI, "--db", db, "render", "-o",
                              os.path.join(out, "rendered.md"), ms], runs)
    ops["extract"] = measure(
        "extract 100k words", [CLI, "--db", db, "extract", "-o",
                               os.path.join(out, "extracted.yaml"),
                               os.path.join(DATA, "draft-%d-100000.md"
                                            % n)], runs)

    log("  queries (%d passes)..." % passes)
    q = subprocess.run([os.path.join(BB, "query"), db, str(passes)],
                       capture_output=True, text=True)
    if q.returncode != 0:
        sys.exit("bench: query failed:\n" + q.stderr)
    query = json.loads(q.stdout)

    r = {}

    # Ratios of medians; the same of the fastest runs beside them, which
    # a busy machine disturbs less.
    # And of CPU time (user + sys), which other processes on the machine
    # disturb least of all.
    rmin, rcpu = {}, {}

    def ratio(key, a, b):
        if a in ops and b in ops:
            r[key] = ops[a]["median_s"] / ops[b]["median_s"]
            rmin[key] = ops[a]["min_s"] / ops[b]["min_s"]
            rcpu[key] = ops[a]["cpu_median_s"] / ops[b]["cpu_median_s"]
    ratio("csv_vs_sqlite3", "export_csv", "sqlite3_csv")
    ratio("latex_vs_csv", "export_latex", "export_csv_speaker")
    ratio("latex_vs_csv_rowid_order", "export_latex", "export_csv")
    ratio("csv_speaker_vs_csv", "export_csv_speaker", "export_csv")
    ratio("csl_json_vs_csv", "export_csl_json", "export_csv")
    ratio("biblatex_vs_csv", "export_biblatex", "export_csv")
    ratio("odt_vs_csv", "export_odt", "export_csv")
    ratio("json_vs_csv", "export_json", "export_csv")
    ratio("markdown_vs_csv", "export_markdown", "export_csv_speaker")
    ratio("html_vs_csv", "export_html", "export_csv_speaker")
    ratio("yaml_export_vs_floor", "export_yaml", "floor_emit")
    ratio("import_vs_floor", "import", "floor_import")
    ratio("import_vs_floor_fts", "import", "floor_import_fts")
    ratio("import_vs_floor_rebuild", "import", "floor_import_rebuild")
    ratio("floor_rebuild_vs_floor_fts", "floor_import_rebuild",
          "floor_import_fts")
    ratio("spreadsheet_vs_csv", "export_spreadsheet", "export_csv")
    ratio("latex_data_vs_csv", "export_latex_data", "export_csv")
    ratio("pyyaml_import_vs_import", "pyyaml_import", "import")
    ratio("pyyaml_dump_vs_yaml_export", "pyyaml_dump", "export_yaml")
    r["search_p50_vs_raw"] = (query["search"]["p50_ms"]
                              / query["search_raw_fts5"]["p50_ms"])
    r["search_p90_vs_raw"] = (query["search"]["p90_ms"]
                              / query["search_raw_fts5"]["p90_ms"])
    r["filter_p50_ms"] = query["filter"]["p50_ms"]
    if "check_100000" in ops:
        r["check_s"] = ops["check_100000"]["median_s"]
        r["check_rss_mib"] = ops["check_100000"]["rss_kib"] / MIB
    exports = [k for k in ops if k.startswith("export_")]
    r["export_rss_mib"] = max(ops[k]["rss_kib"] for k in exports) / MIB
    r["import_rss_mib"] = ops["import"]["rss_kib"] / MIB
    r["sync_unchanged_s"] = ops["sync_unchanged"]["median_s"]
    # what one changed file costs against importing a 100th of N
    r["sync_one_file_vs_import_part"] = (ops["sync_one_file"]["median_s"]
                                         / (ops["import"]["median_s"]
                                            / 100))
    checks = {}
    for k, (op, lim) in TARGETS.items():
        if k in r:
            v = r[k]
            ok = {"<=": v <= lim, ">=": v >= lim, "<": v < lim}[op]
            checks[k] = {"value": v, "target": "%s %g" % (op, lim),
                         "met": ok}
    commit, dirty = git_commit()
    res = {
        "n": n, "runs": runs, "commit": commit, "dirty": dirty,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "input_bytes": os.path.getsize(src),
        "output_bytes": {os.path.basename(p): os.path.getsize(p)
                         for p in sorted(glob.glob(os.path.join(out, "*")))},
        "ops": ops, "query": query, "ratios": r, "ratios_of_min": rmin,
        "ratios_of_cpu": rcpu,
        "targets": checks, "loadavg_before": load0,
        "loadavg_after": os.getloadavg(),
        "notes": notes,
    }
    res.update(machine())
    return res


def write_manuscript(db, path, cites, words_between):
    """A manuscript citing cites quotes of db spread evenly over it, with
    about words_between words of prose before each (render's input)."""
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    total = con.execute("SELECT count(*) FROM quotes").fetchone()[0]
    step = max(1, total // cites)
    ids = [r[0] for r in con.execute(
        "SELECT id FROM quotes WHERE qid % ? = 0 ORDER BY qid LIMIT ?",
        (step, cites))]
    con.close()
    prose = ("The minister said the talks would go on, and the question "
             "of who said what, and when, is what this chapter is about. ")
    filler = (prose * (words_between // len(prose.split()) + 1)).split()
    with open(path, "w") as f:
        f.write("# A manuscript\n\n")
        for i, qid in enumerate(ids):
            block = "|block" if i % 10 == 9 else ""
            f.write(" ".join(filler[:words_between]) + " {{q:%s%s}}\n\n"
                    % (qid, block))


def same_file(a, b):
    if not (os.path.exists(a) and os.path.exists(b)):
        return False
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def table(res):
    ops, r, q = res["ops"], res["ratios"], res["query"]
    print()
    print("quotedb bench, N = %d, %s (%d cores), commit %s%s"
          % (res["n"], res["cpu_model"], res["cores"], res["commit"][:10],
             " (dirty)" if res["dirty"] else ""))
    print("%-14s %8s %8s %8s %8s %7s  %-19s %8s %6s %6s %6s  %s" % (
        "operation", "median s", "min s", "max s", "cpu s", "RSS MiB",
        "reference", "ref s", "ratio", "(min)", "(cpu)", "target"))
    rows = [
        ("import", "import", "floor parse+insert", "floor_import",
         "import_vs_floor", None),
        ("", None, "floor +FTS5", "floor_import_fts", "import_vs_floor_fts",
         "import_vs_floor_fts"),
        ("", None, "floor, FTS5 rebuild", "floor_import_rebuild",
         "import_vs_floor_rebuild", None),
        ("", None, "PyYAML+executemany", "pyyaml_import",
         "pyyaml_import_vs_import", "pyyaml_import_vs_import"),
        ("export csv", "export_csv", "sqlite3 -csv", "sqlite3_csv",
         "csv_vs_sqlite3", "csv_vs_sqlite3"),
        ("export yaml", "export_yaml", "libyaml emit floor", "floor_emit",
         "yaml_export_vs_floor", "yaml_export_vs_floor"),
        ("", None, "PyYAML CDumper", "pyyaml_dump",
         "pyyaml_dump_vs_yaml_export", None),
        ("export latex", "export_latex", "csv, same order",
         "export_csv_speaker", "latex_vs_csv", "latex_vs_csv"),
        ("", None, "csv, rowid order", "export_csv",
         "latex_vs_csv_rowid_order", None),
        ("export csl-json", "export_csl_json", "csv, rowid order",
         "export_csv", "csl_json_vs_csv", None),
        ("export biblatex", "export_biblatex", "csv, rowid order",
         "export_csv", "biblatex_vs_csv", None),
        ("export odt", "export_odt", "csv, rowid order", "export_csv",
         "odt_vs_csv", None),
        ("export json", "export_json", "csv", "export_csv",
         "json_vs_csv", None),
        ("export spreadsheet", "export_spreadsheet", "csv", "export_csv",
         "spreadsheet_vs_csv", None),
        ("export latex-data", "export_latex_data", "csv", "export_csv",
         "latex_data_vs_csv", None),
        ("export markdown", "export_markdown", "csv, same order",
         "export_csv_speaker", "markdown_vs_csv", None),
        ("export html", "export_html", "csv, same order",
         "export_csv_speaker", "html_vs_csv", None),
    ]
    for label, op, ref, rop, rk, tk in rows:
        if op and op not in ops:
            print("%-16s %s" % (label, "(not measured)"))
            continue
        if not op and rop not in ops:
            continue
        a = ops.get(op) if op else None
        b = ops.get(rop)
        left = ("%-14s %8.3f %8.3f %8.3f %8.3f %7.1f" % (
            label, a["median_s"], a["min_s"], a["max_s"],
            a["cpu_median_s"], a["rss_kib"] / MIB) if a else
            "%-14s %8s %8s %8s %8s %7s" % (label, "", "", "", "", ""))
        t = res["targets"].get(tk) if tk else None
        print("%s  %-19s %8.3f %6.2f %6.2f %6.2f  %s" % (
            left, ref, b["median_s"], r.get(rk, float("nan")),
            res["ratios_of_min"].get(rk, float("nan")),
            res["ratios_of_cpu"].get(rk, float("nan")),
            ("%s %s" % (t["target"], "ok" if t["met"] else "MISSED"))
            if t else ""))
    s, raw, f = q["search"], q["search_raw_fts5"], q["filter"]
    t = res["targets"]["search_p50_vs_raw"]
    print("%-16s p50 %.3f ms  p90 %.3f ms   raw FTS5 p50 %.3f ms  p90 "
          "%.3f ms   ratio p50 %.2f p90 %.2f  %s %s" % (
              "search", s["p50_ms"], s["p90_ms"], raw["p50_ms"],
              raw["p90_ms"], r["search_p50_vs_raw"], r["search_p90_vs_raw"],
              t["target"], "ok" if t["met"] else "MISSED"))
    t = res["targets"]["filter_p50_ms"]
    print("%-16s p50 %.3f ms  p99 %.3f ms  (%d rows over 100 queries)"
          "   p50 %s ms %s" % (
              "speaker+dates", f["p50_ms"], f["p99_ms"], f["rows"],
              t["target"], "ok" if t["met"] else "MISSED"))
    for words in (10000, 100000):
        c = ops.get("check_%d" % words)
        if c:
            t = res["targets"].get("check_s") if words == 100000 else None
            print("%-16s %8.3f s  min %.3f  cpu %.3f s  %.1f MiB%s" % (
                "check %dk words" % (words // 1000), c["median_s"],
                c["min_s"], c["cpu_median_s"], c["rss_kib"] / MIB,
                "   target %s s %s" % (t["target"], "ok" if t["met"]
                                       else "MISSED") if t else ""))
    for op, label in (("render", "render"), ("extract", "extract")):
        c = ops.get(op)
        if c:
            print("%-16s %8.3f s  min %.3f  cpu %.3f s  %.1f MiB" % (
                label, c["median_s"], c["min_s"], c["cpu_median_s"],
                c["rss_kib"] / MIB))
    for k in ("export_rss_mib", "import_rss_mib"):
        t = res["targets"][k]
        print("%-16s %.1f MiB  target %s MiB %s" % (
            k.replace("_rss_mib", " peak RSS"), t["value"], t["target"],
            "ok" if t["met"] else "MISSED"))
    for note in res["notes"]:
        print("note: " + note)


def merge():
    per_n = []
    for p in glob.glob(os.path.join(HERE, "results-*.json")):
        with open(p) as f:
            per_n.append(json.load(f))
    per_n.sort(key=lambda x: x["n"])
    merged = {"results": per_n}
    if per_n:
        merged.update(machine())
    # Growth from each N to the next, per operation: 10x the quotes
    # should take no more than 11x the time.
    scaling = []
    for a, b in zip(per_n, per_n[1:]):
        row = {"from": a["n"], "to": b["n"], "time_ratio": {},
               "rss_ratio": {}}
        for op in b["ops"]:
            if op in a["ops"]:
                row["time_ratio"][op] = (b["ops"][op]["median_s"]
                                         / a["ops"][op]["median_s"])
                row["rss_ratio"][op] = (b["ops"][op]["rss_kib"]
                                        / a["ops"][op]["rss_kib"])
        for k in ("search", "search_raw_fts5", "filter"):
            row["time_ratio"]["query_" + k + "_p50"] = (
                b["query"][k]["p50_ms"] / a["query"][k]["p50_ms"])
        scaling.append(row)
    merged["scaling"] = scaling
    with open(os.path.join(HERE, "results.json"), "w") as f:
        json.dump(merged, f, indent=1, sort_keys=True)
        f.write("\n")
    return per_n, scaling


def plot(per_n):
    if len(per_n) < 2:
        log("one N only: no plot (run with several BENCH_N values)")
        return
    gp = shutil.which("gnuplot")
    if not gp:
        log("gnuplot not found: no plot (apt-get install gnuplot-nox)")
        return
    ops = [op for op in per_n[-1]["ops"]
           if all(op in r["ops"] for r in per_n)]
    dat = os.path.join(BB, "results.dat")
    with open(dat, "w") as f:
        f.write("# N " + " ".join(ops) + " search_p50 raw_fts5_p50 "
                "filter_p50\n")
        for r in per_n:
            f.write("%d %s %g %g %g\n" % (
                r["n"], " ".join("%g" % r["ops"][op]["median_s"]
                                 for op in ops),
                r["query"]["search"]["p50_ms"] / 1e3,
                r["query"]["search_raw_fts5"]["p50_ms"] / 1e3,
                r["query"]["filter"]["p50_ms"] / 1e3))
    cols = ops + ["search p50", "raw FTS5 p50", "speaker+dates p50"]
    png = os.path.join(HERE, "results.png")
    script = [
        "set terminal png size 1100,750",
        "set output '%s'" % png,
        "set logscale xy",
        "set key outside right",
        "set grid",
        "set xlabel 'quotes (N)'",
        "set ylabel 'seconds (median)'",
        "set title 'quotedb bench: time against N'",
        "plot " + ", ".join(
            "'%s' using 1:%d with linespoints title '%s'"
            % (dat, i + 2, c.replace("_", " ")) for i, c in enumerate(cols)),
    ]
    p = subprocess.run([gp], input="\n".join(script) + "\n", text=True,
                       capture_output=True)
    if p.returncode != 0:
        log("gnuplot failed: " + p.stderr)
    else:
        log("wrote " + png)


def main():
    ns = [int(x) for x in
          os.environ.get("BENCH_N", "100000").replace(",", " ").split()]
    runs = env_int("BENCH_RUNS", 3)
    passes = env_int("BENCH_PASSES", 5)
    py = os.environ.get("BENCH_PY", "100000")
    py_ns = (set(ns) if py == "all" else set() if py == "none"
             else {int(x) for x in py.replace(",", " ").split()})
    for n in ns:
        res = bench_one(n, runs, passes, py_ns)
        with open(os.path.join(HERE, "results-%d.json" % n), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
            f.write("\n")
        table(res)
    per_n, scaling = merge()
    if scaling:
        print()
        for s in scaling:
            worst = max(s["time_ratio"].items(), key=lambda kv: kv[1])
            print("N %d -> %d: time ratios %s (largest: %s %.2f)" % (
                s["from"], s["to"], ", ".join(
                    "%s %.2f" % kv for kv in sorted(s["time_ratio"].items())),
                worst[0], worst[1]))
    plot(per_n)


if __name__ == "__main__":
    main()
