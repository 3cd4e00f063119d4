"""`make bench`: run every benchmark module listed in BENCHMARKS (or those named on the
command line), print measured figures next to their same-run baselines, write them into
docs/performance.md, and exit non-zero while any target is missed.

    python -m bench                      # all of them
    python -m bench ingest portal        # only these; the page keeps the others' rows
    python -m bench profile ingest       # where the intake's time goes (bench/profile.py)

Knobs for trial runs (a run with any of them is "reduced" and leaves the page alone unless
BENCH_WRITE_DOCS=1): BENCH_SCALE, and each benchmark's own (see its module).
BENCH_WRITE_DOCS=0 never writes; BENCH_DOCS_PATH writes another copy of the page.
"""

import importlib
import os
import sys
import traceback
from pathlib import Path

from rich.console import Console

from bench.harness import Result, machine, print_results
from bench.summary import entry, summary_write

# Each module bench/<name>/run.py has run(console) -> list[Result].
BENCHMARKS: list[str] = ["ingest", "growth", "indicators", "portal", "demo"]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def main(argv: list[str]) -> int:
    console = Console()
    if argv[:1] == ["profile"]:
        from bench.profile import main as profile

        return profile(argv[1:])
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        console.print(f"Невідомі бенчмарки / unknown benchmarks: {', '.join(unknown)}")
        return 2
    results: list[Result] = []
    entries: dict[str, dict] = {}
    this_machine = machine()
    for name in names:
        module = importlib.import_module(f"bench.{name}.run")
        console.rule(f"bench/{name}")
        try:
            found = module.run(console)
        except Exception as error:  # one failed benchmark must not hide the others' figures
            console.print(traceback.format_exc())
            entries[name] = entry(
                [], machine=this_machine, error=f"{type(error).__name__}: {error}"
            )
            continue
        results.extend(found)
        entries[name] = entry(found, machine=this_machine)
    print_results(results, console)
    _docs_write(entries, console)
    failed = [name for name, run in entries.items() if run["error"]]
    missed = [r.name for r in results if not r.met]
    if failed or missed:
        console.print(f"[red]Не виконано / not met: {', '.join(failed + missed)}[/red]")
        return 1
    return 0


def _docs_write(entries: dict[str, dict], console: Console) -> None:
    wanted = os.environ.get("BENCH_WRITE_DOCS", "auto")
    reduced = [f"{name}: {run['reduced']}" for name, run in entries.items() if run["reduced"]]
    if wanted == "0" or (wanted == "auto" and reduced):
        why = (
            "BENCH_WRITE_DOCS=0" if wanted == "0" else "reduced scale (" + "; ".join(reduced) + ")"
        )
        console.print(f"docs/performance.md не оновлено / not written: {why}")
        return
    path = Path(os.environ.get("BENCH_DOCS_PATH") or DOCS)
    summary_write(path, entries, BENCHMARKS)
    console.print(f"Підсумок записано / summary written: {path}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
