"""A token bucket per client for the write endpoints.

Each client (its address as the server sees it: behind a reverse proxy that is the proxy) has a
bucket of `burst` tokens refilled at `rate` tokens a second; a write takes one token, and a write
that finds the bucket empty is refused with a 429 and a Retry-After header. The table of buckets
is bounded: full buckets are forgotten first, then the least recently used.

    STORYLINE_WRITE_RATE=2      # tokens a second per client (0 or "off": no limit)
    STORYLINE_WRITE_BURST=30    # bucket size
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from storyline.config import SERVE, ServeConfig

# The defaults are `storyline.config.ServeConfig` (write_rate, write_burst, max_clients).


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucketLimiter:
    """Thread-safe; `clock` is injectable for tests."""

    def __init__(self, rate: float, burst: int, *, max_clients: int = SERVE.max_clients,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Takes a token for `client`: 0.0 when granted, else the seconds until one is available."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(client)
            if bucket is None:
                self._make_room(now)
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            else:
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
                bucket.stamp = now
                self._buckets.move_to_end(client)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _make_room(self, now: float) -> None:
        if len(self._buckets) < self.max_clients:
            return
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) >= self.max_clients:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait: float) -> str:
    """The Retry-After header value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait)))


def limiter_from_settings(rate: float | None, burst: int | None, env: Mapping[str, str] = os.environ,
                          config: ServeConfig = SERVE) -> TokenBucketLimiter | None:
    """The limiter for explicit settings, else STORYLINE_WRITE_RATE / STORYLINE_WRITE_BURST (read through
    `storyline.settings`; a bad value is a ConfigError naming the variable), else the defaults; None when
    the rate is 0 (or "off")."""
    from storyline.settings import load_settings

    settings = load_settings(env)
    if rate is None:
        rate = settings.write_rate if settings.write_rate is not None else config.write_rate
    if burst is None:
        burst = settings.write_burst if settings.write_burst is not None else config.write_burst
    if rate <= 0:
        return None
    return TokenBucketLimiter(rate, max(1, burst), max_clients=config.max_clients)
