"""`make bench`: run every benchmark module listed in BENCHMARKS (or those named on the
command line) and print measured figures next to their same-run baselines."""

import importlib
import sys

from rich.console import Console

from bench.harness import print_results

# Each module has run(console) -> list[Result]. Later stages add theirs here.
BENCHMARKS: list[str] = ["ingest", "indicators", "portal"]


def main(argv: list[str]) -> int:
    console = Console()
    names = argv or BENCHMARKS
    if not names:
        console.print("Бенчмарків ще немає / no benchmarks registered yet.")
        return 0
    results = []
    for name in names:
        module = importlib.import_module(f"bench.{name}.run")
        console.rule(f"bench/{name}")
        results.extend(module.run(console))
    print_results(results, console)
    return 0 if all(r.ok(r.ratio) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
