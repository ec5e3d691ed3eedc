"""The two hashes mdnet uses, without hashlib's start-up cost: hashlib loads OpenSSL
(5-10 ms of every command's start) for hashes that CPython also builds in."""

from __future__ import annotations

try:
    from _blake2 import blake2b
    from _sha1 import sha1
except ImportError:  # pragma: no cover - an interpreter without them (not CPython)
    from hashlib import blake2b, sha1

__all__ = ["blake2b", "sha1"]
