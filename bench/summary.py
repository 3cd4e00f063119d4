"""The summary of docs/performance.md, written by `make bench` between two markers.

The figures live in a JSON comment inside the block, one entry per benchmark, so that running
one benchmark (`python -m bench ingest`) replaces only its rows and keeps the others' with their
own date and machine; the tables below the comment are rendered from it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from bench.harness import Result, format_figure

START = "<!-- bench:summary:start -->"
END = "<!-- bench:summary:end -->"
DATA = re.compile(r"<!-- bench:data (\{.*?\}) -->", re.S)


def entry(results: list[Result], *, machine: str, error: str = "") -> dict:
    """One benchmark's run as stored in the page."""
    return {
        "run": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z"),
        "machine": machine,
        "error": error,
        "reduced": "; ".join(sorted({r.reduced for r in results if r.reduced})),
        "rows": [
            {
                "name": r.name,
                "measured": r.measured,
                "baseline": r.baseline,
                "unit": r.unit,
                "ratio": r.ratio_format.format(r.ratio),
                "target": r.target,
                "met": r.met,
                "note": r.note,
            }
            for r in results
        ],
    }


def summary_write(path: Path, entries: dict[str, dict], order: list[str]) -> None:
    """Replace the entries of the benchmarks given, keep the others, rewrite the block."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path}: markers {START} … {END} not found")
    head, rest = text.split(START, 1)
    block, tail = rest.split(END, 1)
    found = DATA.search(block)
    data = json.loads(found.group(1)) if found else {"benchmarks": {}}
    data["benchmarks"].update(entries)
    path.write_text(head + START + "\n" + render(data, order) + END + tail, encoding="utf-8")


def render(data: dict, order: list[str]) -> str:
    benchmarks = data["benchmarks"]
    names = [n for n in order if n in benchmarks] + sorted(set(benchmarks) - set(order))
    # "--" would end the HTML comment; JSON allows \u002d for the same character.
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("--", "-\\u002d")
    lines = [
        "<!-- Written by `make bench` (bench/summary.py); edits inside the markers are lost. -->",
        f"<!-- bench:data {payload} -->",
    ]
    if names:
        lines += [
            "",
            "| benchmark | figure | measured | baseline | ratio | target | met |",
            "|---|---|---|---|---|---|---|",
        ]
    for name in names:
        run = benchmarks[name]
        if run.get("error"):
            lines.append(
                f"| `bench/{name}` | failed: {_cell(run['error'])} | — | — | — | — | **no** |"
            )
        for row in run["rows"]:
            met = "yes" if row["met"] else "**no**"
            lines.append(
                f"| `bench/{name}` | {_cell(row['name'])} | "
                f"{format_figure(row['measured'], row['unit'])} | "
                f"{format_figure(row['baseline'], row['unit'])} | {row['ratio']} | "
                f"{_cell(row['target'])} | {met} |"
            )
    if names:
        lines += ["", "| benchmark | run | machine | scale |", "|---|---|---|---|"]
    for name in names:
        run = benchmarks[name]
        scale = f"reduced: {_cell(run['reduced'])}" if run.get("reduced") else "full"
        lines.append(f"| `bench/{name}` | {run['run']} | {_cell(run['machine'])} | {scale} |")
    missing = [f"`bench/{name}`" for name in order if name not in benchmarks]
    if missing:
        lines += ["", f"Not measured yet by this bench: {', '.join(missing)}."]
    notes = [
        f"- `bench/{name}`, {row['name']}: {row['note']}"
        for name in names
        for row in benchmarks[name]["rows"]
        if row.get("note")
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
