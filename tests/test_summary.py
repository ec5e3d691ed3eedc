"""The per-contact summary the reports read equals what the touches say, for any day.

The summary holds as of one day and is moved to the day a report asks for; these tests
move it back and forth over a generated vault (future events, same-day mentions, every
kind of ledger item) and compare it with the queries over the touches themselves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
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
            db.summary_as_of(conn, day)
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
