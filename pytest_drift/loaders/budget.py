"""Will the data fit? Estimated before loading, from file sizes and available memory."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: A side may use at most this share of the memory available when the check starts:
#: sorting and the two sides together need room beyond the columns themselves.
SHARE_PER_SIDE = 0.5


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_memory() -> int | None:
    """Bytes this process can still use: the least of the machine's available memory and
    the container's (cgroup) limit minus its usage; None when the system does not say."""
    candidates: list[int] = []
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    candidates.append(int(line.split()[1]) * 1024)
    except OSError:
        with contextlib.suppress(ValueError, OSError, AttributeError):
            candidates.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # cgroup v2
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
         "/sys/fs/cgroup/memory/memory.usage_in_bytes"),  # cgroup v1
    ):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:
            candidates.append(max(limit - usage, 0))
    return min(candidates) if candidates else None


def human_size(size: float) -> str:
    """``1.2 GB``, ``340 MB``, ``12 KB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{int(size)} bytes"
