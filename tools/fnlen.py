#!/usr/bin/env python3
"""fnlen.py — list C/C++ functions by length, and which lack a contract comment.

Usage: tools/fnlen.py [--over N] [--max M] [--no-comment] [FILE|DIR ...]

Scans the given files (default: the tracked *.c, *.cpp and *.h of the
repository, via `git ls-files`) with a small lexer that drops comments,
strings and character literals, and counts braces: a '{' at depth 0 whose
preceding text ends in ')' (a parameter list, possibly followed by
qualifiers such as `const`) opens a function, its matching '}' closes it.
The length of a function is its line count from the first line of its
signature to the closing brace, both included.

A function "has a contract" when the line just above its signature (blank
lines not allowed) ends a comment: '*/' or a '//' line.

Output, longest first, one function a line:
    LINES  C  FILE:LINE  NAME
with C = '+' when a comment sits above the function, '-' when not.
--over N      list only functions longer than N lines (default 40)
--max M       exit 1 when a listed function is longer than M lines
              (default: no limit), or, with --no-comment, when a listed
              function has no comment above it
--no-comment  list only the functions without a comment above them
--exclude P   skip files whose path starts with P (repeatable)
"""
import argparse
import os
import re
import subprocess
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else"}


def strip_code(text):
    """Comments, strings and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            # preprocessor line, with continuations
            j = i
            while True:
                k = text.find("\n", j)
                if k < 0:
                    k = n
                    break
                if k > 0 and text[k - 1] == "\\":
                    j = k + 1
                    continue
                break
            out.append(re.sub(r"[^\n]", " ", text[i:k]))
            i = k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """Yields (name, first_line, last_line) of each function in path."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    code = strip_code(raw)
    depth = 0
    stmt_start = 0          # offset where the current top-level text begins
    opened = None           # (name, start offset) of the function being read
    line_of = lambda off: raw.count("\n", 0, off) + 1
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                head = code[stmt_start:i]
                m = re.search(r"\)\s*(?:const\s*|noexcept\s*|override\s*)*$", head)
                name = None
                if m:
                    # the identifier just before the '(' that matches this ')'
                    k, lvl = m.start(), 0
                    while k >= 0:
                        if head[k] == ")":
                            lvl += 1
                        elif head[k] == "(":
                            lvl -= 1
                            if lvl == 0:
                                break
                        k -= 1
                    ids = IDENT.findall(head[:max(k, 0)])
                    if ids and ids[-1] not in KEYWORDS:
                        name = ids[-1]
                if name:
                    s = stmt_start + len(head) - len(head.lstrip())
                    opened = (name, s)
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                if opened:
                    yield opened[0], line_of(opened[1]), line_of(i)
                    opened = None
                stmt_start = i + 1
        elif c == ";" and depth == 0:
            stmt_start = i + 1
    return


def has_comment(lines, first):
    """True when the line above line `first` (1-based) closes a comment."""
    if first < 2:
        return False
    above = lines[first - 2].rstrip()
    return above.endswith("*/") or above.lstrip().startswith("//")


def main():
    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("--over", type=int, default=40)
    ap.add_argument("--max", type=int, default=None)
    ap.add_argument("--no-comment", action="store_true")
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args()

    files = []
    if a.paths:
        for p in a.paths:
            if os.path.isdir(p):
                for root, _, names in os.walk(p):
                    files += [os.path.join(root, x) for x in names
                              if x.endswith((".c", ".cpp", ".h"))]
            else:
                files.append(p)
    else:
        ls = subprocess.run(["git", "ls-files", "*.c", "*.cpp", "*.h"],
                            capture_output=True, text=True, check=True)
        files = ls.stdout.split()
    files = [f for f in sorted(files)
             if not any(f.startswith(e) for e in a.exclude)]

    rows, total = [], 0
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as h:
            lines = h.read().split("\n")
        for name, first, last in functions(f):
            total += 1
            n = last - first + 1
            com = has_comment(lines, first)
            if n > a.over and not (a.no_comment and com):
                rows.append((n, com, f, first, name))
    rows.sort(key=lambda r: (-r[0], r[2], r[3]))
    bad = 0
    for n, com, f, first, name in rows:
        flag = ""
        if a.max is not None and n > a.max:
            flag, bad = "  <-- over %d" % a.max, bad + 1
        elif a.max is not None and a.no_comment and not com:
            bad += 1
        print("%5d  %s  %s:%d  %s%s" % (n, "+" if com else "-", f, first, name, flag))
    print("%d of %d functions over %d lines" % (len(rows), total, a.over),
          file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
