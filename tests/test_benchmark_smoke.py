"""Smoke test of the benchmark vault generator, benchmarks/genvault.py.

mdnet itself is not run here: this only checks that the generator is deterministic
and makes the vault that benchmarks/README.md describes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

GENVAULT = Path(__file__).resolve().parents[1] / "benchmarks" / "genvault.py"
FILES = 300
SEED = 7
DATED_ITEM = re.compile(r"^(?:[-*+]|\d+\.) (?:\[\[)?(\d{4}-\d{2}-\d{2})(?:\]\])?", re.M)
FM_KEY = re.compile(r"^([A-Za-z_][\w-]*):", re.M)


def _load_genvault():
    spec = importlib.util.spec_from_file_location("genvault_under_test", GENVAULT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tree(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig").replace("\r\n", "\n")


def _front_matter_keys(text: str) -> list[str]:
    if not text.startswith("---\n"):
        return []
    end = text.index("\n---\n", 4)
    return FM_KEY.findall(text[4:end])


@pytest.fixture(scope="module")
def genvault():
    return _load_genvault()


@pytest.fixture(scope="module")
def vault(genvault, tmp_path_factory):
    root = tmp_path_factory.mktemp("vault")
    manifest = genvault.generate(root, FILES, seed=SEED)
    return root, manifest, _tree(root)


def test_same_seed_gives_byte_identical_vault(genvault, vault, tmp_path):
    _root, _manifest, first = vault
    # The second copy comes from the command line, with another hash seed, so that
    # neither set ordering nor the process can leak into the output.
    out = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    cmd = [sys.executable, str(GENVAULT), str(out), "--files", str(FILES), "--seed", str(SEED)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert f"{FILES} files" in done.stdout
    second = _tree(out)
    assert sorted(first) == sorted(second)
    different = [p for p in first if first[p] != second[p]]
    assert different == []


def test_other_seed_gives_other_vault(genvault, vault, tmp_path):
    _root, _manifest, first = vault
    genvault.generate(tmp_path / "other", FILES, seed=SEED + 1)
    assert _tree(tmp_path / "other") != first


def test_note_count_and_size(vault):
    _root, manifest, tree = vault
    notes = {p: b for p, b in tree.items() if p.endswith(".md")}
    assert len(notes) == FILES == manifest["files"]
    assert manifest["bytes"] == sum(len(b) for b in notes.values())
    assert 600 <= manifest["bytes"] / FILES <= 1400  # about 925 bytes a note
    assert manifest["contacts"] == round(FILES * 0.25)
    assert manifest["dated"] >= FILES * 0.70


def test_config_files(vault):
    _root, _manifest, tree = vault
    config = tomllib.loads(tree[".mdnet.toml"].decode())
    assert config == {"people_dir": "people", "events_dir": "events"}
    json.loads(tree[".obsidian/app.json"])


def test_contacts_have_rich_front_matter_and_a_log(vault):
    _root, manifest, tree = vault
    bad = manifest["bad"]
    contacts = {p: b for p, b in tree.items() if p.startswith("people/") and p not in bad}
    assert len(contacts) == manifest["contacts"]
    assert any(p.count("/") >= 2 for p in contacts), "some contacts live in subfolders"
    names = {Path(p).stem for p in contacts}
    assert len(names) == len(contacts), "contact names are unique"
    for path, data in contacts.items():
        text = _text(data)
        keys = _front_matter_keys(text)
        assert 10 <= len(keys) <= 20, (path, keys)
        assert len(set(keys)) == len(keys), path
        assert f"name: {Path(path).stem}\n" in text
        log = text.split("\n## Log\n", 1)[1]
        items = DATED_ITEM.findall(log)
        assert 5 <= len(items) <= 31, (path, len(items))
        for d in items:
            dt.date.fromisoformat(d)
    everything = "\n".join(_text(b) for b in contacts.values())
    for tag in ("#call", "#meal", "#gift/given", "#ask", "#intro", "#life"):
        assert tag in everything.lower()
    assert "- [[20" in everything or "* [[20" in everything, "the [[date]] form is used"
    assert "- [ ] " in everything and "📅 " in everything, "open tasks with due dates"


def test_dated_notes_start_with_a_date(vault):
    _root, manifest, tree = vault
    bad = manifest["bad"]
    dated = [p for p in tree if p.startswith(("Daily/", "Journal/")) and p not in bad]
    assert len(dated) == manifest["dated"]
    contact_names = {Path(p).stem for p in tree if p.startswith("people/")}
    linked = 0
    for path in dated:
        name = Path(path).name
        dt.date.fromisoformat(name[:10])
        text = _text(tree[path])
        links = re.findall(r"\[\[([^\]|#]+)", text)
        linked += any(Path(link).name in contact_names for link in links)
    assert linked > len(dated) // 3, "many dated notes mention contacts"


def test_events(vault):
    _root, manifest, tree = vault
    events = {p: _text(b) for p, b in tree.items() if p.startswith("events/")}
    assert len(events) == manifest["events"] >= 1
    for path, text in events.items():
        assert text.startswith("---\ntype: event\ndate: "), path
        assert '\nattendees:\n  - "[[' in text, path
        dt.date.fromisoformat(Path(path).name[:10])


def test_bad_notes_of_every_kind(vault):
    _root, manifest, tree = vault
    bad = manifest["bad"]
    assert len(bad) >= 2
    kinds = {}
    for path, kind in bad.items():
        kinds.setdefault(kind, tree[path])
    assert set(kinds) >= {"yaml", "conflict", "baddate", "utf8"}
    with pytest.raises(UnicodeDecodeError):
        kinds["utf8"].decode("utf-8")
    assert b"\n<<<<<<< " in kinds["conflict"] and b"\n>>>>>>> " in kinds["conflict"]
    assert b"2023-02-30" in kinds["baddate"]
    assert b"[person\n" in kinds["yaml"]


def test_bench_smoke_run_measures_mdnet(tmp_path):
    """The benchmark is not a test, but a small run of it is: every figure gets a number."""
    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
    mdnet = Path(sys.executable).with_name("mdnet")
    cmd = [sys.executable, str(bench), "--smoke", "--workdir", str(tmp_path)]
    if not mdnet.exists():  # run from an environment without the console script
        cmd += ["--mdnet", f"{sys.executable} -m mdnet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "failed" not in proc.stdout.lower(), proc.stdout
    for figure in ("cold index", "no-change index", "report json", "mdnet --help"):
        assert re.search(rf"{figure}.*\d\.\d+ s", proc.stdout), figure
