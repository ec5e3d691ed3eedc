"""End to end on vault-example/: the output is checked in and changes only on purpose.

Refresh the golden files with `MDNET_UPDATE_GOLDEN=1 make test` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "vault-example"
GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = "2026-11-20"  # inside the example's timeline: the demo reads the same on any day

CASES = {
    "report.txt": ["report", "--as-of", AS_OF],
    "report.json": ["report", "--as-of", AS_OF, "--format", "json"],
    "report.md": ["report", "--as-of", AS_OF, "--format", "markdown"],
    "show-jib.txt": ["show", "Jib Okafor", "--as-of", AS_OF],
    "check.txt": ["check"],
}


def run(args: list[str]):
    return CliRunner().invoke(main, ["--vault", str(EXAMPLE), *args])


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_output(name):
    result = run(CASES[name])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    path = GOLDEN / name
    if os.environ.get("MDNET_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


def test_the_story_a_user_recognises():
    data = json.loads(run(CASES["report.json"]).stdout)
    reconnect = {row["name"]: row for row in data["reconnect"]["contacts"]}
    jib = reconnect["Jib Okafor"]
    assert jib["reason"] == "overdue" and jib["overdue_days"] > 0
    assert any("married" in b["text"] for b in jib["bring_up"])
    assert any(
        row["reason"] == "birthday" and row["birthday_in_days"] <= 7 for row in reconnect.values()
    )
    gifts = data["gifts"]["contacts"]
    assert gifts[0]["name"] == "Anthony Ferreira" and gifts[0]["status"] == "owe"
    assert gifts[0]["gift_ideas"]
    hannah = next(r for r in gifts if r["name"] == "Hannah Kowalczyk")
    assert hannah["declined"] == 1


def test_check_finds_every_broken_example():
    result = run(["check"])
    assert result.exit_code == 1
    broken = {line.split(":")[0] for line in result.stdout.splitlines() if ": error:" in line}
    assert broken == {
        f"Broken examples/{name}.md"
        for name in ("Impossible date", "Invalid YAML", "Merge conflict", "Unclosed front matter")
    }


def test_the_readme_tour_matches_what_mdnet_prints():
    """Every ```console block of the README is run and must print what it shows."""
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ (.+?)\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) >= 2
    for command, expected in blocks:
        args = shlex.split(command)
        assert args[0] == ".venv/bin/mdnet" and args[1:3] == ["--vault", "vault-example"]
        result = run(args[3:])
        assert result.stdout == expected, command


def test_each_networking_rule_fires_on_the_demo_vault():
    too_early = run(["ask", "Tomasz Wrona", "--as-of", AS_OF])
    assert too_early.exit_code == 1 and "first-date rule" in too_early.stdout
    declined = run(["ask", "Hannah Kowalczyk", "--as-of", AS_OF])
    assert declined.exit_code == 1 and "do not ask again before 2027-01-30" in declined.stdout
    pending = run(["ask", "Lena Brandt", "--as-of", AS_OF])
    assert pending.exit_code == 1 and "still open" in pending.stdout
    ready = run(["ask", "Jib Okafor", "--as-of", AS_OF])
    assert ready.exit_code == 0 and "ready to ask" in ready.stdout
    intros = run(["intros", "--limit", "1"])
    assert intros.stdout.startswith("Kwame Asante ↔ Mira Solberg")
    draft = run(["draft", "Jib Okafor", "--as-of", AS_OF])
    assert draft.stdout.startswith("Hey Jib! I saw the news: Got married to Dara")
    trip = run(["report", "reconnect", "--city", "Lisbon", "--as-of", AS_OF, "--format", "json"])
    assert all(row["path"] for row in json.loads(trip.stdout)["contacts"])
