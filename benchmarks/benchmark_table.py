"""Write ``docs/benchmark.md`` from finished ``fairmend benchmark`` folders (run on demand, not in tests).

    python benchmarks/benchmark_table.py bench-german/ bench-adult/ --output docs/benchmark.md

Each folder's ``results.parquet`` is read, the rows are concatenated and summarised with
:func:`fairmend.scale.report.report_markdown`; the page states the commands that produced the folders
(from ``command.txt`` in each, when present) and the compute they took (the sum of the cells' seconds and
each sweep's wall time from ``summary.json``, when present).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd


def main() -> None:
    from fairmend.io import write_atomic
    from fairmend.scale.report import report_markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--output", default="docs/benchmark.md")
    parser.add_argument("--note", default="", help="A sentence on the machine the sweeps ran on")
    args = parser.parse_args()
    frames, lines = [], []
    for folder in args.folders:
        results = pd.read_parquet(folder / "results.parquet")
        frames.append(results)
        command = (folder / "command.txt").read_text().strip() if (folder / "command.txt").exists() else None
        summary = (
            json.loads((folder / "summary.json").read_text()) if (folder / "summary.json").exists() else {}
        )
        protocol = json.loads((folder / "benchmark.json").read_text())["protocol"]
        lines.append(f"- `{command}`" if command else f"- {folder}")
        lines.append(
            f"  {len(results)} cells, {results['seconds'].sum() / 60:.1f} core-minutes in the cells"
            + (f", {summary['seconds'] / 60:.1f} minutes wall" if "seconds" in summary else "")
            + f"; protocol {protocol}."
        )
    preamble = (
        "Regenerate: run the commands below (each resumes where it stopped), then "
        f"`python benchmarks/benchmark_table.py {' '.join(str(f) for f in args.folders)}`.\n\n"
        + "\n".join(lines)
        + "\n"
        + (f"\n{args.note}\n" if args.note else "")
    )
    results = pd.concat(frames, ignore_index=True)
    protocol = json.loads((args.folders[0] / "benchmark.json").read_text())["protocol"]
    text = report_markdown(
        results,
        protocol=protocol,
        title="Benchmark: fairmend's techniques on German and Adult",
        preamble=preamble,
    )
    write_atomic(args.output, text)
    print(f"{len(results)} cells -> {args.output}")


if __name__ == "__main__":
    main()
