"""Helpers of ``bench/mutation.sh`` around mutmut 3.8: list a module's mutants, report its kill rate.

Run from the module's scratch folder (the one holding its ``pyproject.toml`` and ``mutants/``):

    python mutation_tool.py names qbwc_service/queue/jobs.py [SAMPLE] [SEED]
    python mutation_tool.py report qbwc_service/queue/jobs.py

``names`` generates the mutants and prints their names, all of them or a fixed random
sample of ``SAMPLE`` (same seed, same sample); ``report`` prints one summary line, then
every mutant that was not killed. A mutant counts as killed when a test failed or timed out
with it; one that no selected test reaches counts as surviving.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

KILLED = {"killed", "timeout", "caught by type check"}


def _meta(source: str) -> dict[str, int | None]:
    with open(Path("mutants") / (source + ".meta"), encoding="utf-8") as f:
        return json.load(f)["exit_code_by_key"]


def names(source: str, sample: int = 0, seed: int = 1) -> list[str]:
    """Generate the mutants of the scratch copy and return the names of ``source``'s."""
    from mutmut.__main__ import create_mutants
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir

    Path("mutants").mkdir(exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):  # mutmut talks; stdout is the list
        copy_src_dir()
        copy_also_copy_files()
        create_mutants(1)
    keys = sorted(_meta(source))
    if 0 < sample < len(keys):
        keys = sorted(random.Random(seed).sample(keys, sample))
    return keys


def report(source: str, wanted: list[str] | None = None) -> tuple[str, list[tuple[str, str]]]:
    """One summary line of ``source``'s results and the mutants left alive (name, status)."""
    from mutmut.stats import status_by_exit_code

    codes = _meta(source)
    if wanted:
        codes = {k: v for k, v in codes.items() if k in wanted}
    statuses = {k: status_by_exit_code[v] for k, v in codes.items()}
    checked = {k: s for k, s in statuses.items() if s != "not checked"}
    counts = Counter(checked.values())
    killed = sum(counts[s] for s in KILLED)
    rate = 100.0 * killed / len(checked) if checked else 0.0
    detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    line = f"{source}: {rate:.1f} % killed ({killed}/{len(checked)} mutants; {detail})"
    alive = sorted((k, s) for k, s in checked.items() if s not in KILLED)
    return line, alive


def main(argv: list[str]) -> int:
    command, source, *rest = argv
    if command == "names":
        sample = int(rest[0]) if rest else 0
        seed = int(rest[1]) if len(rest) > 1 else 1
        print("\n".join(names(source, sample, seed)))
        return 0
    if command == "report":
        wanted = Path(rest[0]).read_text(encoding="utf-8").split() if rest else None
        line, alive = report(source, wanted)
        print(line)
        for name, status in alive:
            print(f"    {status}: {name}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
