"""The per-contact summary the reports read equals what the touches say, for any day.

The summary holds as of one day and is moved to the day a report asks for; these tests
move it back and forth over a generated vault (future events, same-day mentions, every
kind of ledger item) and compare it with the queries over the touches themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import sqlite3
from pathlib import Path

import pytest

from mdnet import db
from mdnet.config import load_config
from mdnet.reports.gifts import _tallies
from mdnet.reports.reconnect import reconnect_report, summary_touch, with_bring_up
from mdnet.sync import Index

GENVAULT = Path(__file__).resolve().parents[1] / "benchmarks" / "genvault.py"
DAYS = ["2026-11-20", "2008-03-01", "2026-12-10", "2019-07-04", "2030-01-01", "2026-11-20"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("genvault_for_summary", GENVAULT)
    genvault = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(genvault)
    root = tmp_path_factory.mktemp("generated") / "vault"
    genvault.generate(root, files=400, seed=3)
    return root


def test_summary_equals_the_touches_on_every_day(generated, private_cache):
    config = load_config(generated)
    quiet = dataclasses.replace(config, mentions=False)
    with Index(config) as index:
        index.refresh()
        conn = index.conn
        for day in DAYS:
            with db.summary_as_of(conn, day):
                contacts = db.contacts_with_summary(conn, db.RECONNECT_COLUMNS)
            for cfg in (config, quiet):
                expected = db.last_touchpoints(conn, day, mentions=cfg.mentions)
                touches = {c["note_id"]: summary_touch(cfg, c) for c in contacts}
                touches = {k: v for k, v in touches.items() if v is not None}
                assert touches == expected, (day, cfg.mentions)
            ledger = {row[0]: row[1:] for row in db.ledger(conn, "0000-01-01", day)}
            assert _tallies(db.contacts_with_summary(conn, db.GIFTS_COLUMNS)) == ledger, day
            assert ledger and expected  # the day is not one where nothing happened


def test_bring_up_from_the_summary_equals_the_queries_on_every_day(generated, private_cache):
    config = load_config(generated)
    seen_bring_up = seen_events = False
    with Index(config) as index:
        index.refresh()
        conn = index.conn
        ids = {c["path"]: c["note_id"] for c in db.contacts(conn)}
        for day in DAYS:
            as_of = dt.date.fromisoformat(day)
            rows = reconnect_report(conn, config, as_of)
            queried = with_bring_up(conn, [dataclasses.replace(r) for r in rows], as_of, ids)
            assert [(r.bring_up, r.events) for r in rows] == [
                (r.bring_up, r.events) for r in queried
            ], day
            seen_bring_up |= any(r.bring_up for r in rows)
            seen_events |= any(r.events for r in rows)
    assert seen_bring_up and seen_events


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
    with Index(config) as mine, Index(config) as other:
        mine.refresh()
        with db.summary_as_of(mine.conn, first_day):
            pass
        _moving_the_summary_meanwhile(monkeypatch, other, "2026-06-01")
        rows = reconnect_report(mine.conn, config, dt.date(2026, 1, 1))
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
