"""A small load generator for loopback benchmarks: N concurrent clients, each a person who
requests a page, reads it and pauses (think time) before the next — or, with think=(0, 0), a
closed loop that asks again as soon as an answer arrives — bounded in time, loopback only.
Latency percentiles are measured at the client; any answer but 200 counts as an error."""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rate: float  # requests per second achieved


def run_load(
    base: str,
    paths: list[str],
    *,
    clients: int = 100,
    seconds: float = 20.0,
    think: tuple[float, float] = (0.5, 1.5),
    seed: int = 1,
) -> LoadResult:
    parts = urlsplit(base)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("load generation is for loopback servers only")
    latencies: list[float] = []
    within = [0]  # answers that arrived before the deadline: the rate over the window
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start_barrier = threading.Barrier(clients)

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        start_barrier.wait()
        time.sleep(rng.uniform(0, think[1]))  # people do not arrive in lockstep
        mine: list[float] = []
        failed = answered = 0
        while time.monotonic() < deadline:
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "uk"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:  # a redirect or an error is not a page served
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            mine.append(time.perf_counter() - began)
            answered += time.monotonic() < deadline
            if think[1] > 0:
                time.sleep(rng.uniform(*think))
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed
            within[0] += answered

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    # A request still running at the deadline counts in the latencies, not in the rate: one
    # slow straggler must not stretch the window the rate is taken over.
    window = max(deadline - started, 1e-9)
    latencies.sort()

    def percentile(q: float) -> float:
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return LoadResult(
        len(latencies),
        errors[0],
        percentile(0.50),
        percentile(0.95),
        percentile(0.99),
        within[0] / window,
    )
