"""The gift-reciprocity report: SPEC section 4, through the CLI."""

from __future__ import annotations

import json


def gifts(vault, *args, as_of="2026-06-30"):
    result = vault.run("report", "gifts", "--as-of", as_of, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["report"] == "gifts" and data["as_of"] == as_of
    return data["contacts"]


def test_given_received_balance_status_and_asks(vault):
    vault.write(
        "people/Anthony.md",
        "---\ninterests: [coffee, pens]\n---\n"
        "- 2026-01-01 gave me a lanyard #gift/received\n"
        "- 2026-02-01 reviewed my slides #favour/received\n"
        "- 2026-03-01 asked for an intro to Bo #ask #yes\n"
        "- 2026-03-05 asked for a quote #ask #no\n"
        "- 2026-06-01 asked about the talk #ask\n"
        "- 2026-04-01 sent a thank-you card #gift/given\n"
        "- 2026-05-01 paid for the headshots #paid\n"
        "- 2026-07-01 future gift #gift/given\n",
    )
    vault.write("people/Bo.md", "- 2026-01-01 coffee\n")
    vault.write("people/Cy.md", "- 2026-02-01 helped move #favor/given\n")
    vault.write("people/Di.md", "- 2026-02-01 book #gift/given\n- 2026-02-02 pie #gift/received\n")
    vault.write("Daily/2026-04-10.md", "- 2026-04-10 introduced [[Bo]] to [[Cy]] #intro\n")
    rows = gifts(vault)
    assert [r["name"] for r in rows] == ["Anthony", "Di", "Bo", "Cy"]
    anthony, di, bo, cy = rows
    assert {k: anthony[k] for k in ("given", "received", "balance", "status")} == {
        "given": 1,
        "received": 3,
        "balance": -2,
        "status": "owe",
    }
    assert (anthony["asks"], anthony["declined"], anthony["pending"], anthony["paid"]) == (
        3,
        1,
        1,
        1,
    )
    assert (anthony["last_given"], anthony["last_received"]) == ("2026-04-01", "2026-03-01")
    assert anthony["gift_ideas"] == ["coffee", "pens"]
    assert (di["balance"], di["status"], di["gift_ideas"]) == (0, "even", [])
    assert (bo["given"], bo["balance"], bo["status"]) == (1, 1, "giving")  # the intro names Bo
    assert (cy["given"], cy["balance"]) == (2, 2)
    assert "path" in anthony and anthony["path"] == "people/Anthony.md"


def test_since_window_and_no_ledger_no_row(vault):
    vault.write("people/A.md", "- 2025-01-01 old #gift/received\n- 2026-05-01 new #gift/given\n")
    vault.write("people/B.md", "- 2026-05-01 just coffee\n")
    assert [(r["name"], r["balance"]) for r in gifts(vault)] == [("A", 0)]
    rows = gifts(vault, "--since", "2026-01-01")
    assert [(r["name"], r["balance"], r["last_received"]) for r in rows] == [("A", 1, None)]


def test_an_empty_window_does_not_say_nothing_was_ever_logged(vault):
    """With --since, an empty report said "logged yet" of a vault with a #no in it (found
    by an audit)."""
    vault.write("people/Q.md", "- 2025-01-01 met\n- 2025-12-01 a referral? #ask #no\n")
    args = ("report", "gifts", "--as-of", "2026-01-10", "--since", "2026-01-01")
    for fmt in ("text", "markdown"):
        out = vault.run(*args, "--format", fmt).stdout
        assert "from 2026-01-01 to 2026-01-10" in out and "yet" not in out
    assert "1 (1/0)" in vault.run("report", "gifts", "--as-of", "2026-01-10").stdout


def test_text_output_names_who_you_owe(vault):
    vault.write(
        "people/Anthony.md", "---\ninterests: [coffee]\n---\n- 2026-01-01 lanyard #gift/received\n"
    )
    result = vault.run("report", "gifts", "--as-of", "2026-06-30")
    assert "you owe 1" in result.stdout
    assert "gift ideas: coffee" in result.stdout


def test_bare_report_prints_both(vault):
    vault.write("people/A.md", "- 2026-01-01 lanyard #gift/received\n")
    result = vault.run("report", "--as-of", "2026-06-30", "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"as_of", "reconnect", "gifts"}
    assert data["reconnect"]["report"] == "reconnect" and data["gifts"]["report"] == "gifts"
    text = vault.run("report", "--as-of", "2026-06-30").stdout
    assert text.index("Reconnect") < text.index("Gifts and favours")


def test_a_contact_with_only_a_pending_ask(vault):
    vault.write("people/Eve.md", "- 2026-06-01 asked for a quote #ask\n")
    (row,) = gifts(vault)
    assert (row["given"], row["received"], row["balance"], row["status"]) == (0, 0, 0, "even")
    assert (row["asks"], row["declined"], row["pending"]) == (1, 0, 1)


def test_a_declined_ask_rests_for_180_days(vault):
    vault.write("people/Hana.md", "- 2026-03-01 asked for an intro #ask #no\n")
    (row,) = gifts(vault)
    assert row["last_declined"] == "2026-03-01"
    text = vault.run("report", "gifts", "--as-of", "2026-06-30").stdout
    assert "said no on 2026-03-01: no asks before 2026-08-28" in text
    later = vault.run("report", "gifts", "--as-of", "2026-09-01").stdout
    assert "said no" not in later
