"""``python -m bench``: every benchmark, each with its baseline measured in the same run."""

from __future__ import annotations

import importlib
import sys

SUITES = [
    "bench.foundation",
    "bench.signedlog",
    "bench.sync",
    "bench.supervisory",
    "bench.audit",
    "bench.load",
]


def main(names: list[str]) -> None:
    for name in names or SUITES:
        try:
            module = importlib.import_module(name if "." in name else f"bench.{name}")
        except ModuleNotFoundError as missing:
            print(f"skipping {name}: {missing}")
            continue
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
