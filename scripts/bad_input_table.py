#!/usr/bin/env python3
"""Prints the bad-input table of docs/reliability.md as Markdown.

The cases live in one place, tests/test_bad_input.c, where the test checks
each message exactly; this reads its four case tables (survey_cases,
config_cases, bundle_cases, reply_cases) so the documentation shows the same
messages and cannot drift from them.

    scripts/bad_input_table.py [tests/test_bad_input.c] > table.md
    scripts/bad_input_table.py tests/test_bad_input.c --check docs/reliability.md

Exits 1 with a message naming the file when a table is missing or a case
cannot be read, or (--check) when the document does not hold the table
exactly as generated.
"""
import re
import sys

C_ESCAPES = {"n": "\\n", "r": "\\r", "t": "\\t", "\\": "\\", '"': '"', "'": "'"}


def fail(path, msg):
    sys.stderr.write(f"{path}: {msg}\n")
    sys.exit(1)


def table_body(src, path, name):
    """The text between `NAME[] = {` and its closing `};`."""
    m = re.search(r"\b" + name + r"\[\]\s*=\s*\{", src)
    if not m:
        fail(path, f"no table {name}")
    end = src.find("\n};", m.end())
    if end < 0:
        fail(path, f"table {name} has no end")
    return src[m.end():end]


def tokens(body):
    """C tokens of a case table: adjacent string literals joined (as the
    compiler does), braces, commas and bare words, comments dropped."""
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c.isspace():
            i += 1
        elif body.startswith("/*", i):
            i = body.index("*/", i) + 2
        elif c == '"':
            s = []
            i += 1
            while body[i] != '"':
                if body[i] == "\\":
                    e = body[i + 1]
                    if e == "x":
                        m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
                        s.append(f"\\x{m.group(0)}")
                        i += 2 + len(m.group(0))
                        continue
                    s.append(C_ESCAPES.get(e, "\\" + e))
                    i += 2
                else:
                    s.append(body[i])
                    i += 1
            i += 1
            lit = "".join(s)
            if out and isinstance(out[-1], Lit):
                out[-1] = Lit(out[-1] + lit)
            else:
                out.append(Lit(lit))
        elif c in "{},":
            out.append(c)
            i += 1
        else:
            m = re.match(r"[A-Za-z0-9_.*+\-]+", body[i:])
            if not m:
                raise ValueError(f"unexpected {c!r}")
            out.append(m.group(0))
            i += len(m.group(0))
    return out


class Lit(str):
    """A C string literal (to tell it from a bare word such as NULL)."""


def cases(tok):
    """The table's entries as nested lists of literals and words."""
    stack, top = [], []
    for t in tok:
        if t == "{":
            stack.append(top)
            top = []
        elif t == "}":
            done = top
            top = stack.pop()
            top.append(done)
        elif t != ",":
            top.append(t)
    return top


def cell(text):
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def main():
    args = sys.argv[1:]
    check = None
    if "--check" in args:
        k = args.index("--check")
        if k + 1 >= len(args):
            sys.stderr.write("usage: bad_input_table.py [TEST_C] [--check DOC]\n")
            sys.exit(2)
        check = args[k + 1]
        del args[k:k + 2]
    path = args[0] if args else "tests/test_bad_input.c"
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except OSError as e:
        fail(path, f"cannot read: {e.strerror}")
    rows = []
    try:
        for c in cases(tokens(table_body(src, path, "survey_cases"))):
            rows.append(("survey file", c[0], "<br>".join(c[1]), ""))
        for c in cases(tokens(table_body(src, path, "config_cases"))):
            name = c[0] if isinstance(c[0], Lit) else "(no file at all)"
            rows.append(("configuration", name, "<br>".join(c[2]),
                         f"; exit status {c[1]}"))
        for c in cases(tokens(table_body(src, path, "bundle_cases"))):
            rows.append(("downloaded bundle", c[0],
                         "Ongeldige enquête ontvangen: " + c[1], ""))
        for c in cases(tokens(table_body(src, path, "reply_cases"))):
            name = c[0]
            detail = c[6] if isinstance(c[6], Lit) else None
            reject = c[7] if isinstance(c[7], Lit) else None
            if detail is not None:
                msg = detail.replace("$BATCH", "<batch id>")
            else:
                msg = "set aside: " + reject
            rows.append(("answer to an upload", f"{name} (HTTP {c[1]})", msg, ""))
    except (IndexError, ValueError) as e:
        fail(path, f"a case table could not be read ({e})")
    out = []
    out.append(f"{len(rows)} cases (generated from `tests/test_bad_input.c` by "
          "`scripts/bad_input_table.py`; the test checks every message "
          "exactly):")
    out.append("")
    out.append("| # | kind | input | what the kiosk says |")
    out.append("|---|---|---|---|")
    for n, (kind, name, msg, extra) in enumerate(rows, 1):
        if kind == "answer to an upload":
            shown = name
        else:
            shown = cell(name) if not name.startswith("(") else name
        msgs = "<br>".join(cell(m) for m in msg.split("<br>"))
        out.append(f"| {n} | {kind} | {shown} | {msgs}{extra} |")
    table = "\n".join(out) + "\n"
    if check is None:
        sys.stdout.write(table)
        return
    try:
        with open(check, encoding="utf-8") as f:
            doc = f.read()
    except OSError as e:
        fail(check, f"cannot read: {e.strerror}")
    if table not in doc:
        fail(check, "the bad-input table differs from what "
             "scripts/bad_input_table.py generates from " + path +
             "; run it and paste its output in")


if __name__ == "__main__":
    main()
