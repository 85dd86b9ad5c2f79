#!/usr/bin/env python3
"""The figures docs/architecture.md gives about the shape of the code, measured on this tree.

- the import graph between the core crate's top-level modules (`core/src/<module>` or
  `core/src/<module>.rs`), from `crate::<module>` paths in code (comments and `*tests.rs`
  files left out; `crate::Ledger` counts as the `ledger` facade), and its cycles;
- the largest files of the core;
- each binding's size against the core's (Rust plus its Python or TypeScript facade,
  generated files and tests left out).

Usage: python3 scripts/structure.py [--check]   (from the repository root)

With --check (scripts/test.sh runs it), it exits 1 when core's modules import each other in
a cycle or a core file is over MAX_FILE_LINES lines: the layering docs/architecture.md
describes is kept by the suite, not by memory.
"""

from __future__ import annotations

import os
import re
import sys

ROOT = "core/src"
MAX_FILE_LINES = 600


def code_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line for line in f.read().split("\n") if not line.strip().startswith("//")]


def rust_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    out = []
    for folder, _, files in os.walk(path):
        out += [os.path.join(folder, f) for f in files if f.endswith(".rs")]
    return sorted(out)


def modules() -> dict[str, list[str]]:
    mods: dict[str, list[str]] = {}
    for name in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, name)
        if name.endswith(".rs") and name != "lib.rs":
            mods.setdefault(name[:-3], []).extend(rust_files(path))
        elif os.path.isdir(path):
            mods.setdefault(name, []).extend(rust_files(path))
    return mods


def import_graph(mods: dict[str, list[str]]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, files in mods.items():
        for path in files:
            if path.endswith("tests.rs"):
                continue
            text = "\n".join(code_lines(path))
            targets = set(re.findall(r"(?<!\$)crate::([a-z_]+)", text))
            for group in re.findall(r"crate::\{([^}]*)\}", text, re.S):
                targets |= set(re.findall(r"(?:^|[,{\s])([a-z_]+)(?=::|\s*[,}]|$)", group))
            if re.search(r"crate::(\{[^}]*\bLedger\b|Ledger\b)", text):
                targets.add("ledger")
            edges[module] |= {t for t in targets if t in mods and t != module}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def count_lines(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            total += sum(1 for _ in f)
    return total


def generated(path: str) -> bool:
    """A file written by a tool (scripts/gen-bindings.py), which says so on its first line."""
    with open(path, encoding="utf-8") as f:
        return "@generated" in f.readline()


def files_under(folder: str, suffixes: tuple[str, ...], skip: tuple[str, ...] = ()) -> list[str]:
    out = []
    for d, dirs, files in os.walk(folder):
        dirs[:] = [x for x in dirs if x not in ("node_modules", "__pycache__", "target")]
        for f in files:
            path = os.path.join(d, f)
            if f.endswith(suffixes) and not any(s in path for s in skip) and not generated(path):
                out.append(path)
    return sorted(out)


def main() -> int:
    check = "--check" in sys.argv[1:]
    mods = modules()
    edges = import_graph(mods)
    print(f"core modules: {len(mods)}")
    for module in sorted(edges):
        print(f"  {module} -> {', '.join(sorted(edges[module])) or '(nothing)'}")
    found = cycles(edges)
    if found:
        for component in found:
            print(f"import cycle of {len(component)} modules: {', '.join(component)}")
    else:
        print("no import cycle between core's modules")

    core = rust_files(ROOT)
    sizes = sorted(((count_lines([p]), p) for p in core), reverse=True)
    print("largest core files:")
    for lines, path in sizes[:5]:
        print(f"  {lines:5} {path}")
    core_lines = count_lines(core)
    print(f"core: {core_lines} lines of Rust")
    python = files_under("bindings-python/src", (".rs",)) + files_under(
        "bindings-python/python", (".py",)
    )
    node = files_under("bindings-node/src", (".rs",)) + files_under(
        "bindings-node/lib", (".js", ".ts", ".mjs", ".cjs")
    )
    for name, paths in (("Python binding", python), ("Node binding", node)):
        lines = count_lines(paths)
        print(f"{name}: {lines} lines, {100 * lines / core_lines:.0f}% of the core")

    too_long = [(lines, path) for lines, path in sizes if lines > MAX_FILE_LINES]
    for lines, path in too_long:
        print(f"{path} has {lines} lines, over the {MAX_FILE_LINES} a core file may have")
    if check and (found or too_long):
        print("structure check failed: see above (docs/architecture.md has the layering)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
