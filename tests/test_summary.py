"""The per-contact summary the reports read equals what the touches say, for any day.

The summary holds as of one day and is moved to the day a report asks for; these tests
move it back and forth over a generated vault (future events, same-day mentions, every
kind of ledger item) and compare it with the queries over the touches themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reconnect_reference import reference_rows

from mdnet import db, render
from mdnet.config import load_config
from mdnet.reports.gifts import _tallies, gifts_json_rows, gifts_report
from mdnet.reports.reconnect import LISTED, every_row, reconnect_json_rows, reconnect_report
from mdnet.sync import Index

GENVAULT = Path(__file__).resolve().parents[1] / "benchmarks" / "genvault.py"
CITY = "Lisbon"  # the generator's first city
DAYS = ["2026-11-20", "2008-03-01", "2026-12-10", "2019-07-04", "2030-01-01", "2026-11-20"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("genvault_for_summary", GENVAULT)
    genvault = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(genvault)
    root = tmp_path_factory.mktemp("generated") / "vault"
    genvault.generate(root, files=400, seed=3)
    return root


CONFIGS = {
    "vault's": {},
    "no mentions": {"mentions": False},
    "other cadences": {
        "circles": {"inner": 7, "friends": None, "acquaintances": 30},
        "default_cadence": 45,
        "birthday_horizon": 60,
    },
}


def test_gift_tallies_of_the_summary_equal_the_ledger_on_every_day(generated, private_cache):
    config = load_config(generated)
    with Index(config) as index:
        index.refresh()
        conn = index.conn
        for day in DAYS:
            with db.summary_as_of(conn, day):
                tallies = _tallies(db.contacts_with_summary(conn, db.GIFTS_COLUMNS))
            ledger = {row[0]: row[1:] for row in db.ledger(conn, "0000-01-01", day)}
            assert tallies == ledger and ledger, day
            as_of = dt.date.fromisoformat(day)
            as_json = [json.loads(text) for text in gifts_json_rows(conn, as_of)]
            assert as_json == [render.plain(row) for row in gifts_report(conn, as_of)], day


@pytest.mark.parametrize("changes", CONFIGS.values(), ids=CONFIGS.keys())
def test_reconnect_figures_equal_the_rules_worked_out_from_the_touches(
    generated, private_cache, changes
):
    """Every contact's figures (reason, last contact and its source, cadence, birthday,
    what to bring up, events ahead), as the SQL over the summary works them out, equal
    the rules applied contact by contact to the touches (tests/reconnect_reference.py);
    and the report lists exactly the overdue, never contacted and birthday ones."""
    config = dataclasses.replace(load_config(generated), **changes)
    reasons: set[str] = set()
    with Index(config) as index:
        index.refresh()
        conn = index.conn
        for day in DAYS:
            as_of = dt.date.fromisoformat(day)
            rows = {r.path: r for r in every_row(conn, config, as_of).values()}
            expected = reference_rows(conn, config, as_of)
            cities = dict(
                conn.execute(
                    "SELECT n.path, c.city FROM contacts c JOIN notes n ON n.id = c.note_id"
                )
            )
            assert sorted(rows) == sorted(expected)
            for path, row in rows.items():
                got = {name: getattr(row, name) for name in expected[path]}
                assert got == expected[path], (day, path)
            report = reconnect_report(conn, config, as_of)
            assert {r.path for r in report} == {
                p for p, r in expected.items() if r["reason"] in LISTED
            }, day
            # The JSON format's rows, made by the index: the same rows in the same order.
            as_json = [json.loads(text) for text in reconnect_json_rows(conn, config, as_of)]
            assert as_json == [render.plain(row) for row in report], day
            # On a trip, everyone in that city, listed or not.
            trip = reconnect_report(conn, config, as_of, city=CITY)
            assert [json.loads(t) for t in reconnect_json_rows(conn, config, as_of, CITY)] == [
                render.plain(row) for row in trip
            ]
            assert {r.path for r in trip} == {p for p in expected if cities[p] == CITY}
            reasons |= {r["reason"] for r in expected.values()}
    assert reasons >= {"overdue", "never", "birthday", "ok", "snoozed", "no_cadence"}


def _bob(vault):
    vault.write("people/Bob.md", "---\ncircle: inner\n---\n- 2026-05-01 coffee\n")
    return load_config(vault.root)


def _moving_the_summary_meanwhile(monkeypatch, other, day):
    """Another process (the watcher, a report with its own --as-of) moves the summary to
    `day` while this one reads it; with a short busy timeout, as it may have to wait."""
    read = db.contacts_with_summary

    def read_while_the_other_moves_it(conn, *args, **kwargs):
        other.conn.execute("PRAGMA busy_timeout = 100")
        try:
            with db.summary_as_of(other.conn, day):
                pass
        except sqlite3.OperationalError:
            pass  # it waits for our write lock: it will move the summary after us
        return read(conn, *args, **kwargs)

    monkeypatch.setattr(db, "contacts_with_summary", read_while_the_other_moves_it)


@pytest.mark.parametrize("first_day", ["2026-01-01", "2026-06-01"])
def test_a_report_reads_one_day_while_another_process_moves_the_summary(
    vault, monkeypatch, first_day
):
    """The summary holds one day for everyone. A report reads it in one snapshot: first
    when it is already at the report's day, then when the report has to move it."""
    config = _bob(vault)
    with Index(config) as mine:
        mine.refresh()
        with db.summary_as_of(mine.conn, first_day):
            pass
        other = Index(config)
        _moving_the_summary_meanwhile(monkeypatch, other, "2026-06-01")
        rows = reconnect_report(mine.conn, config, dt.date(2026, 1, 1))
        other.close()
    assert [(r.name, r.reason, r.last_contact) for r in rows] == [("Bob", "never", None)]


def test_the_watchers_memo_is_not_used_across_a_rebuilt_index(vault):
    """Ids and summary versions start again in a rebuilt index: the memo of the old one
    would put old rows under ids that now name other contacts."""
    from mdnet import reports_api
    from mdnet.reports.reconnect import ReconnectMemo

    vault.write("people/Bob.md", "- 2026-01-01 coffee\n")
    vault.write("people/Cat.md", "- 2026-01-02 tea\n")
    config = load_config(vault.root)
    memo = ReconnectMemo()
    as_of = dt.date(2026, 6, 1)
    with Index(config) as index:
        index.refresh()
        reports_api.reconnect(index.conn, config, as_of, "markdown", memo=memo)
    vault.write("people/Ada.md", "- 2024-01-01 lunch\n")
    with Index(config, rebuild=True) as index:
        index.refresh()
        with_memo = reports_api.reconnect(index.conn, config, as_of, "markdown", memo=memo)
        fresh = reports_api.reconnect(index.conn, config, as_of, "markdown")
    assert with_memo == fresh and "[[Ada]]" in fresh


# Edge values around the report's day for the property test below: the days on either
# side, 29 February in and out of leap years, invalid and untrimmed values, YAML numbers.
AROUND = [-400, -366, -365, -31, -30, -29, -1, 0, 1, 30]
AS_OFS = ["2024-02-28", "2024-02-29", "2025-02-28", "2025-03-01", "2026-12-31", "2027-01-01"]
CADENCES = ["30d", "30", "4w", "none", "never", "bogus", "", "0", "-3", "true", "[1, 2]",
            "100000000000000000000", "99999999999d"]  # fmt: skip
CIRCLES = ["inner", "Inner", "FRIENDS", "unknown", "équipe", "ÉQUIPE", "", "[a]"]
BIRTHDAYS = ["02-29", "--02-29", "2000-02-29", "1999-02-29", "02-28", "03-01", "12-31",
             "01-01", "13-01", "2026-02-30"]  # fmt: skip


def _day_value(as_of: dt.date, offset: int, form: int) -> str:
    day = (as_of + dt.timedelta(days=offset)).isoformat()
    return [day, f'"{day}"', f'" {day} "', "2023-02-30", "soon"][form]


@st.composite
def contacts(draw, as_of: dt.date) -> list[str]:
    notes = []
    for n in range(draw(st.integers(1, 4))):
        props = [f"name: C{n}"]
        for key in ("met", "last_contact", "snooze"):
            if draw(st.booleans()):
                value = _day_value(as_of, draw(st.sampled_from(AROUND)), draw(st.integers(0, 4)))
                props.append(f"{key}: {value}")
        for key, values in (("cadence", CADENCES), ("circle", CIRCLES), ("birthday", BIRTHDAYS)):
            if draw(st.booleans()):
                props.append(f"{key}: {draw(st.sampled_from(values))}")
        log = [
            f"- {(as_of + dt.timedelta(days=draw(st.sampled_from(AROUND)))).isoformat()} "
            f"{draw(st.sampled_from(['coffee', 'call #call', 'got a job #life']))}"
            for _ in range(draw(st.integers(0, 3)))
        ]
        notes.append("---\n" + "\n".join(props) + "\n---\n" + "\n".join(log) + "\n")
    return notes


@settings(max_examples=60)
@given(data=st.data(), as_of=st.sampled_from(AS_OFS), mentions=st.booleans())
def test_reconnect_figures_on_edge_values_equal_the_rules(data, as_of, mentions):
    """Ties between a touch, a mention, `met` and `last_contact`; snoozes ending on the
    day; 29 February; cadences as YAML numbers or nonsense; circles in any case."""
    day = dt.date.fromisoformat(as_of)
    notes = data.draw(contacts(day))
    mention_days = data.draw(st.lists(st.sampled_from(AROUND), max_size=3))
    event_days = data.draw(st.lists(st.sampled_from([None, *AROUND]), max_size=3))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "people").mkdir()
        (root / "Daily").mkdir()
        for n, text in enumerate(notes):
            (root / "people" / f"C{n}.md").write_text(text, encoding="utf-8")
        for offset in mention_days:
            mentioned = (day + dt.timedelta(days=offset)).isoformat()
            links = " ".join(f"[[C{n}]]" for n in range(len(notes)))
            (root / "Daily" / f"{mentioned}.md").write_text(f"Saw {links}.\n", encoding="utf-8")
        (root / "events").mkdir()
        attendees = ", ".join(f'"[[C{n}]]"' for n in range(len(notes)))
        for k, offset in enumerate(event_days):  # None: an event without a date
            when = (
                "" if offset is None else f"date: {(day + dt.timedelta(days=offset)).isoformat()}\n"
            )
            (root / "events" / f"E{k}.md").write_text(
                f"---\ntitle: E{k}\n{when}attendees: [{attendees}]\n---\n", encoding="utf-8"
            )
        (root / ".mdnet.toml").write_text(
            f'mentions = {"true" if mentions else "false"}\n[circles]\n"équipe" = "10d"\n',
            encoding="utf-8",
        )
        config = load_config(root)
        with Index(config) as index:
            index.refresh()
            rows = {r.path: r for r in every_row(index.conn, config, day).values()}
            expected = reference_rows(index.conn, config, day)
            report = reconnect_report(index.conn, config, day)
            as_json = [json.loads(t) for t in reconnect_json_rows(index.conn, config, day)]
    assert as_json == [render.plain(row) for row in report]
    for path, row in rows.items():
        assert {name: getattr(row, name) for name in expected[path]} == expected[path], path
