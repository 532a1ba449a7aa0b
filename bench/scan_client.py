"""A load client in Python for machines without wrk: `connections` processes, each requesting
random paths in a loop for a bounded time over its own keep-alive-less connections."""

from __future__ import annotations

import http.client
import multiprocessing
import random
import statistics
import time


def _worker(port: int, paths: list[str], seconds: float, seed: int,
            out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    latencies, failed = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", rng.choice(paths), headers={"Accept-Language": "vi"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
        except OSError:
            failed += 1
        finally:
            connection.close()
        latencies.append(time.perf_counter() - started)
    out.put((latencies, failed))


def load_with_python(port: int, paths: list[str], seconds: int,
                     connections: int) -> dict[str, float]:
    """One bounded run; requests/s, p50 and p99 in ms."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=_worker, args=(port, paths, seconds, n, queue))
               for n in range(connections)]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    failed = 0
    for _ in workers:
        got, bad = queue.get(timeout=seconds + 60)
        latencies += got
        failed += bad
    for worker in workers:
        worker.join()
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / seconds, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000,
            "requests": len(latencies), "failed": failed}
