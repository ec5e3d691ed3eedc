"""Shared fixtures: real temporary vaults, a private index cache, the real CLI."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from mdnet.cli import main

# A busy CI machine must not turn a slow example into a failure: speed is measured in
# benchmarks/, not in tests.
settings.register_profile("mdnet", deadline=None)
settings.load_profile("mdnet")


def _users_indexes() -> set[str]:
    base = os.environ.get("XDG_CACHE_HOME", "")
    folder = Path(base if os.path.isabs(base) else Path.home() / ".cache") / "mdnet"
    return set(os.listdir(folder)) if folder.is_dir() else set()


@pytest.fixture(autouse=True, scope="session")
def users_cache_untouched():
    """No test may write into the user's own cache (a monkeypatch.undo() once dropped
    private_cache's folder, and a test built its index in ~/.cache)."""
    before = _users_indexes()
    yield
    assert _users_indexes() <= before, "a test wrote an index into the user's cache"


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own index folder, never the user's ~/.cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("MDNET_VAULT", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return cache


class Vault:
    """A vault on disk that a test writes notes into."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def run(self, *args: str, input: str | None = None):
        """Run the real CLI on this vault; returns click's Result (exit_code, stdout, stderr)."""
        runner = CliRunner()
        return runner.invoke(main, ["--vault", str(self.root), *args], input=input)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    root = tmp_path / "vault"
    root.mkdir()
    return Vault(root)
