"""EPCIS core throughput without a database: validating a 10,000-event document and computing
every event's canonical hash. Prints medians of several runs (events/s); asserts nothing.

    python bench/epcis_core.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any

from chains import epcis

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
           {"ngg": "https://qr.test/ns/"}]


def harvest(i: int) -> dict[str, Any]:
    """An ObjectEvent ADD commissioning one lot at a growing area, as a partner would send."""
    return {
        "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
        "disposition": "active", "eventTime": f"2024-05-01T{i % 24:02d}:00:00.000+07:00",
        "eventTimeZoneOffset": "+07:00",
        "quantityList": [{"epcClass": f"urn:epc:class:lgtin:8930000.012345.L{i}",
                          "quantity": 1250.5, "uom": "KGM"}],
        "readPoint": {"id": f"https://qr.test/growing-areas/VN-80-794-27694-{i % 90:02d}-22"},
        "bizLocation": {"id": f"urn:epc:id:sgln:8930000.00001.{i % 50}"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:8930000.00001"}],
        "ilmd": {"ngg:harvestedOn": "2024-05-01"},
    }


def shipment(i: int) -> dict[str, Any]:
    """An ObjectEvent OBSERVE shipping serialised cases by Digital Link."""
    return {
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
        "disposition": "in_transit", "eventTime": "2024-05-02T08:00:00Z",
        "eventTimeZoneOffset": "+07:00",
        "epcList": [f"https://id.gs1.org/01/08930000123459/21/{i}-{n}" for n in range(3)],
        "readPoint": {"id": "https://id.gs1.org/414/8930000000019"},
        "destinationList": [{"type": "owning_party",
                             "destination": "https://id.gs1.org/417/8930000000026"}],
    }


def document(size: int) -> dict[str, Any]:
    """An EPCISDocument of `size` events, half harvests, half shipments."""
    events = [harvest(i) if i % 2 else shipment(i) for i in range(size)]
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2024-05-02T09:00:00Z", "epcisBody": {"eventList": events}}


def measure(runs: int, size: int) -> None:
    """Print the median events/s of parse_document and of event_hashes, by the wall clock and
    by this process's CPU time (the steadier figure on a shared machine)."""
    rates: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        data = document(size)  # fresh strings each run, so caches start cold
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = epcis.parse_document(data)
        wall_parsed, cpu_parsed = time.perf_counter(), time.process_time()
        parsed.event_hashes()
        wall_hashed, cpu_hashed = time.perf_counter(), time.process_time()
        for clock, (start, middle, end) in (("wall", (wall, wall_parsed, wall_hashed)),
                                            ("cpu", (cpu, cpu_parsed, cpu_hashed))):
            rates.setdefault(("parse_document", clock), []).append(size / (middle - start))
            rates.setdefault(("event_hash", clock), []).append(size / (end - middle))
            rates.setdefault(("both", clock), []).append(size / (end - start))
    for (what, clock), values in rates.items():
        print(f"{what:>15} {size} events, {clock:>4} time: "
              f"{statistics.median(values):>9,.0f} events/s (median of {runs})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=epcis.MAX_EVENTS)
    arguments = parser.parse_args()
    measure(arguments.runs, arguments.size)
