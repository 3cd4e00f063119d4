"""Size limits `make lint` keeps: no function over 80 lines, no module of 600 lines or more.

Ruff counts statements and branches (C901, PLR0915); this counts what a reader scrolls through.
Tests and migrations are exempt: a test reads as one story, a migration is generated.

    python tools/sizes.py [ROOT …] [--function-lines 80] [--module-lines 600]
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def exempt(path: Path) -> bool:
    return "tests" in path.parts or "migrations" in path.parts


def oversized(root: Path, *, function_lines: int, module_lines: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if exempt(path):
            continue
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines >= module_lines:
            found.append(f"{path}: module of {lines} lines (limit: under {module_lines})")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > function_lines:
                    found.append(
                        f"{path}:{node.lineno}: {node.name}() has {length} lines "
                        f"(limit: {function_lines})"
                    )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path, default=[Path("yakist"), Path("bench")])
    parser.add_argument("--function-lines", type=int, default=80)
    parser.add_argument("--module-lines", type=int, default=600)
    options = parser.parse_args(argv)
    found = [
        line
        for root in options.roots
        for line in oversized(
            root, function_lines=options.function_lines, module_lines=options.module_lines
        )
    ]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
