"""Print the figures of bench/trace.py runs as a Markdown table, one column per run:

    python bench/table.py bench/out/results-sqlite-100000.json bench/out/results-sqlite-1000000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _pair(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "-"
    return f"{figures['p50_ms']:.1f} / {figures['p99_ms']:.1f}"


def _http(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "-"
    return f"{figures['p50_ms']:.1f} / {figures['p99_ms']:.1f} ({figures['rps']:.0f}/s)"


def rows(report: dict[str, Any]) -> dict[str, str]:
    """One column of the table."""
    loads, http = report.get("in_process", {}), report.get("http", {})
    bulk_direct, bulk_http = report.get("bulk_direct", {}), report.get("bulk_http", {})
    generation = report.get("generation", {})
    column = {
        "lots / lot edges": f"{report['lots']:,} / {report['lot_edges']:,}",
        "generation (s)": str(generation.get("seconds", "reused")),
        "trace lots (backward retail, forward farm)":
            " / ".join(str(v) for v in report.get("trace_sizes", {}).values()),
    }
    for name in ("load backward retail", "load forward farm", "load+render backward retail",
                 "load+render forward farm", "load backward farm", "load forward retail"):
        column[f"`{name}` p50 / p99 ms"] = _pair(loads.get(name))
    for name in ("http backward retail", "http forward farm", "http backward farm",
                 "http forward retail"):
        column[f"{name} p50 / p99 ms (req/s)"] = _http(http.get(name))
    column["bulk `record_batch` events/s"] = str(bulk_direct.get("record_batch_eps", "-"))
    column["bulk `record_batch` + parsing events/s"] = str(
        bulk_direct.get("with_parsing_eps", "-"))
    column["bulk `POST /events/bulk` events/s"] = str(bulk_http.get("http_eps", "-"))
    column["single services events/s"] = str(report.get("single", {}).get("single_eps", "-"))
    start, end = report.get("load_average_at_start"), report.get("load_average_at_end")
    if start and end:
        column["load average (1 min) start / end"] = f"{start[0]:.1f} / {end[0]:.1f}"
    return column


def main() -> None:
    """Read the result files named on the command line and print the table."""
    reports = [json.loads(Path(name).read_text()) for name in sys.argv[1:]]
    columns = [rows(r) for r in reports]
    heads = [("PostgreSQL " if r["database"].startswith("postgresql") else "SQLite ")
             + f"{r['lots_wanted']:,}" for r in reports]
    print("| figure | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    for key in columns[0]:
        print(f"| {key} | " + " | ".join(c.get(key, "-") for c in columns) + " |")


if __name__ == "__main__":
    main()
