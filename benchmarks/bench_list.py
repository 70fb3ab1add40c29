"""Cold start of `fairmend techniques list` (goal: under 1 s). Run: python benchmarks/bench_list.py"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def cold(args: list[str], repeats: int = 5) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fairmend", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    baseline = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - start)
    print(f"python startup alone         median {statistics.median(baseline):.3f} s")
    for args in (["techniques", "list"], ["techniques", "list", "--json"], ["techniques", "show", "69"]):
        t = cold(args)
        print(f"fairmend {' '.join(args):<22} median {statistics.median(t):.3f} s  max {max(t):.3f} s")


if __name__ == "__main__":
    main()
