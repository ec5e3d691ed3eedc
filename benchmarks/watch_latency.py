"""Time from a saved edit to the updated report note under `mdnet watch` (median of N).

Not a test: a figure for benchmarks/README.md. Run on a vault from genvault.py:

    .venv/bin/python benchmarks/watch_latency.py benchmarks/.vaults/vault-40000-s1

It adds `[watch.reports]` to the vault's `.mdnet.toml` for the run (and puts the file
back after), starts `mdnet watch` with its own index cache, then, N times, appends a
dated line to an overdue contact (which drops out of the reconnect report) and waits
for the report note to change. It prints the median save→report latency and the
watcher's own figures for the index update and the report rendering of each batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPORT = "Reports/Reconnect.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--mdnet", default=str(Path(sys.executable).with_name("mdnet")))
    args = parser.parse_args()
    vault = args.vault.resolve()
    config = vault / ".mdnet.toml"
    original = config.read_bytes() if config.exists() else None
    cache = tempfile.mkdtemp(prefix="mdnet-watch-bench-")
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    proc = None
    try:
        config.write_bytes(
            (original or b"") + f'\n[watch.reports]\nreconnect = "{REPORT}"\n'.encode()
        )
        today = dt.date.today().isoformat()
        rows = json.loads(
            subprocess.run(
                [args.mdnet, "--vault", str(vault), "report", "reconnect", "--format", "json"],
                env=env, capture_output=True, text=True, check=True,
            ).stdout
        )["contacts"]  # fmt: skip
        targets = [r["path"] for r in rows if r["reason"] == "overdue"][: args.edits]
        proc = subprocess.Popen(
            [args.mdnet, "--vault", str(vault), "watch"],
            env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
        report = vault / REPORT
        _wait(lambda: report.exists(), 120)
        latencies = []
        for rel in targets:
            before = report.read_bytes()
            with open(vault / rel, "a", encoding="utf-8") as handle:
                saved = time.perf_counter()
                handle.write(f"\n- {today} benchmark call #call\n")
            _wait(lambda before=before: report.read_bytes() != before, 10, lines)
            latencies.append(time.perf_counter() - saved)
            time.sleep(0.3)  # let the watcher settle: each edit is its own batch
        index_ms = [float(m[1]) for m in (re.search(r"index (\d+) ms", x) for x in lines) if m]
        report_ms = [float(m[1]) for m in (re.search(r"reports (\d+) ms", x) for x in lines) if m]
        print(f"vault: {vault} ({len(targets)} edits)")
        print(f"save -> report note rewritten: median {statistics.median(latencies) * 1000:.0f} ms")
        if index_ms:
            print(f"watcher: index update median {statistics.median(index_ms):.0f} ms, "
                  f"report rendering median {statistics.median(report_ms):.0f} ms")  # fmt: skip
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(5)
        if original is None:
            config.unlink(missing_ok=True)
        else:
            config.write_bytes(original)
        shutil.rmtree(cache, ignore_errors=True)


def _wait(predicate, timeout: float, log: list[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.005)
    raise SystemExit(f"timed out after {timeout} s; the watcher said:\n" + "".join(log or []))


if __name__ == "__main__":
    sys.exit(main())
