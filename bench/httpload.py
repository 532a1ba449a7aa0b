"""A small HTTP load client, run as its own process so it does not share the server's GIL:
`python bench/httpload.py PORT TOKEN SECONDS CONCURRENCY PATHS_FILE` fires GET requests at
127.0.0.1:PORT, cycling through the paths, from CONCURRENCY processes with one connection each,
for at most SECONDS (and at most 200,000 requests), and prints one JSON line of latencies (ms).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import statistics
import sys
import time


def _worker(port: int, token: str, seconds: float, paths: list[str], offset: int,
            queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    i = offset
    while time.perf_counter() < deadline and len(latencies) < 100_000:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        if ok:
            latencies.append(elapsed)
        else:
            errors += 1
    connection.close()
    queue.put((latencies, errors))


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0..1), nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(port: int, token: str, seconds: float, concurrency: int,
        paths: list[str]) -> dict[str, float]:
    """Fire requests from `concurrency` processes; latency figures in milliseconds."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    step = max(1, len(paths) // max(1, concurrency))
    workers = [multiprocessing.Process(target=_worker,
                                       args=(port, token, seconds, paths, k * step, queue))
               for k in range(concurrency)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = [x for lat, _ in results for x in lat]
    return {"requests": len(latencies), "errors": sum(e for _, e in results),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.50), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else float("nan")}


if __name__ == "__main__":
    port_arg, token_arg, seconds_arg, concurrency_arg, paths_file = sys.argv[1:6]
    with open(paths_file, encoding="utf-8") as handle:
        path_list = [line.strip() for line in handle if line.strip()]
    print(json.dumps(run(int(port_arg), token_arg, float(seconds_arg), int(concurrency_arg),
                         path_list)))
