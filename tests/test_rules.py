"""The networking rules: `ask`, `intros`, `draft`, and trips (`--city`)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

AS_OF = "2026-06-30"


def ask(vault, name, *args):
    result = vault.run("ask", name, *args, "--as-of", AS_OF, "--format", "json")
    return result.exit_code, json.loads(result.stdout) if result.stdout else None


def test_first_date_rule_needs_two_earlier_days_of_touchpoints(vault):
    vault.write("people/New.md", "- 2026-06-01 met at a meetup\n")
    code, data = ask(vault, "New")
    assert code == 1 and not data["ready"] and data["prior_days"] == 1
    assert "first-date rule" in data["reasons"][0]
    vault.write("people/New.md", "- 2026-06-01 met\n- 2026-06-30 second coffee today\n")
    assert ask(vault, "New")[0] == 1  # today does not count: that is the second meeting
    vault.write("people/New.md", "---\nmet: 2026-05-01\n---\n- 2026-06-01 coffee\n")
    code, data = ask(vault, "New")
    assert code == 0 and data["ready"] and data["prior_days"] == 2 and data["reasons"] == []


def test_asks_and_life_events_are_not_the_touchpoints_that_count(vault):
    vault.write(
        "people/A.md",
        "- 2026-05-01 coffee\n- 2026-05-02 asked #ask #yes\n- 2026-05-03 moved #life\n",
    )
    code, data = ask(vault, "A")
    assert code == 1 and data["prior_days"] == 1


def test_a_pending_ask_waits_30_days_and_a_no_rests_180(vault):
    log = "- 2026-01-01 a\n- 2026-01-02 b\n"
    vault.write("people/P.md", log + "- 2026-06-10 can you review my draft? #ask\n")
    code, data = ask(vault, "P")
    assert code == 1 and "still open" in data["reasons"][0]
    vault.write("people/P.md", log + "- 2026-05-01 can you review my draft? #ask\n")
    assert ask(vault, "P")[0] == 0  # older than 30 days: no longer blocks
    vault.write("people/P.md", log + "- 2026-02-01 an intro? #ask #no\n")
    code, data = ask(vault, "P")
    assert code == 1 and "2026-07-31" in data["reasons"][0]
    vault.write("people/P.md", log + "- 2025-12-01 an intro? #ask #no\n")
    assert ask(vault, "P")[0] == 0


def test_a_ready_ask_shows_the_balance(vault):
    vault.write("people/G.md", "- 2026-01-01 a\n- 2026-01-02 lent me a tent #favor/received\n")
    result = vault.run("ask", "G", "--as-of", AS_OF)
    assert result.exit_code == 0 and "balance -1" in result.stdout and "give first" in result.stdout


def test_concreteness_warnings_say_how_to_fix(vault):
    vault.write("people/C.md", "- 2026-01-01 a\n- 2026-01-02 b\n")
    _, vague = ask(vault, "C", "Could I pick your brain and maybe hop on a call?")
    texts = " ".join(vague["warnings"])
    assert '"pick your brain" is vague' in texts and '"hop on a call" is vague' in texts
    assert "no deliverable or time" in texts
    _, short = ask(vault, "C", "help?")
    assert any("only 1 word:" in w for w in short["warnings"])
    _, concrete = ask(vault, "C", "Could you review my 4-page grant draft by Friday 12 June?")
    assert concrete["warnings"] == []


def test_vague_phrases_are_whole_words_and_framing_is_fine_around_specifics(vault):
    """Found by an audit: "a favorite bakery" warned "a favor", "awesome help" warned
    "some help", and concrete asks framed politely ("open to", "let me know if") were
    called vague."""
    vault.write("people/C.md", "- 2026-01-01 a\n- 2026-01-02 b\n")
    concrete = [
        "Could you recommend a favorite bakery for my sister's wedding cake by Friday?",
        "Thanks for the awesome help last month! Could you review my CV by Friday?",
        "Would you be open to reviewing my 4-page grant draft by Friday?",
        "Could we have a 15-minute chat about your hiring process next Tuesday?",
        "Could you review my CV? Let me know if Friday works for a 10-minute call.",
    ]
    for text in concrete:
        assert ask(vault, "C", text)[1]["warnings"] == [], text
    _, vague = ask(vault, "C", "Would you be open to doing me a favor sometime soon?")
    texts = " ".join(vague["warnings"])
    assert '"open to" is vague' in texts and '"a favor" is vague' in texts
    _, still = ask(vault, "C", "Could I pick your brain for 15 minutes on Friday?")
    assert [w for w in still["warnings"] if "pick your brain" in w]  # vague whatever follows


def test_vague_phrase_list_is_maintained():
    from mdnet.reports.ask import VAGUE

    assert len(VAGUE) >= 20 and all(fix for fix in VAGUE.values())


def test_intros_pairs_by_shared_interest_not_linked_not_introduced(vault):
    vault.write("people/Mira.md", "---\ninterests: [Bouldering, ceramics]\ncity: Bristol\n---\n")
    vault.write("people/Kwame.md", "---\ninterests: [bouldering, Ceramics]\ncity: Bristol\n---\n")
    vault.write("people/Leo.md", "---\ninterests: [sea swimming, ceramics]\n---\n")
    vault.write("people/Afi.md", "---\ninterests: [sea swimming]\n---\nFriend of [[Leo]].\n")
    vault.write("people/Ben.md", "---\ninterests: [chess]\ntags: [design]\ncity: Lisbon\n---\n")
    vault.write("people/Cy.md", "---\ninterests: [go]\ntags: [design]\ncity: Lisbon\n---\n")
    vault.write("people/Di.md", "---\ninterests: [chess]\n---\n")
    vault.write("Daily/2026-01-01.md", "- 2026-01-01 introduced [[Ben]] to [[Di]] #intro\n")
    result = vault.run("intros", "--format", "json")
    pairs = json.loads(result.stdout)["pairs"]
    got = {(p["a"], p["b"]): p["shared"] for p in pairs}
    assert got[("Kwame", "Mira")] == ["interest: bouldering", "interest: ceramics"]
    assert got[("Ben", "Cy")] == ["city: Lisbon + tag: design"]
    assert ("Afi", "Leo") not in got  # already linked
    assert ("Ben", "Di") not in got  # already introduced
    assert pairs[0]["a"] == "Kwame" and pairs[0]["score"] > pairs[-1]["score"]
    text = vault.run("intros").stdout
    assert text.startswith("Kwame ↔ Mira")


def test_intros_leave_out_people_seen_together(vault):
    """An audit found a game night logged with both, or "saw [[E]] and [[F]]" in a daily
    note, still suggested as an introduction: they know each other."""
    for name in "CDEFGHIJ":
        vault.write(f"people/{name}.md", "---\ninterests: [chess]\n---\n")
    vault.write("Daily/2026-01-07.md", "- [ ] invite [[I]] and [[J]] to chess night\n")
    vault.write("Daily/2026-01-05.md", "- 2026-01-05 Game night with [[C]] and [[D]] #games\n")
    vault.write("Daily/2026-01-06.md", "Saw [[E]] and [[F]] at the club.\n\nLater: [[G]].\n")
    vault.write("Daily/2026-09-01.md", "- 2026-09-01 dinner with [[G]] and [[H]]\n")
    result = vault.run("intros", "--format", "json", "--as-of", AS_OF, "--limit", "99")
    got = {(p["a"], p["b"]) for p in json.loads(result.stdout)["pairs"]}
    assert ("C", "D") not in got and ("E", "F") not in got
    assert ("E", "G") in got  # named in one note, not together
    assert ("G", "H") in got  # a dinner after as-of has not happened yet
    assert ("I", "J") in got  # a plan to invite both is no meeting


def test_a_planned_introduction_is_not_made_yet(vault):
    """An #intro item dated after as-of does not exist for the report (SPEC)."""
    vault.write("people/A.md", "---\ninterests: [jazz]\n---\n")
    vault.write("people/B.md", "---\ninterests: [jazz]\n---\n")
    vault.write("plans.md", "- 2099-01-01 will introduce [[A]] to [[B]] #intro\n")
    pairs = json.loads(vault.run("intros", "--format", "json").stdout)["pairs"]
    assert [(p["a"], p["b"]) for p in pairs] == [("A", "B")]
    later = vault.run("intros", "--format", "json", "--as-of", "2099-01-02")
    assert json.loads(later.stdout)["pairs"] == []


def test_intros_match_a_city_written_in_another_case(vault):
    vault.write("people/D.md", "---\ncity: Bristol\ntags: [designer]\n---\n")
    vault.write("people/E.md", "---\ncity: bristol \ntags: [designer]\n---\n")
    pairs = json.loads(vault.run("intros", "--format", "json").stdout)["pairs"]
    assert [(p["a"], p["b"], p["shared"]) for p in pairs] == [
        ("D", "E", ["city: Bristol + tag: designer"])
    ]


def test_draft_fills_fields_and_drops_sentences_with_empty_ones(vault):
    vault.write(
        "people/Jib Okafor.md",
        "---\nname: Jib Okafor\nrestaurant: Luigi's\ncity: Bristol\n---\n"
        "- 2026-03-01 Got promoted to head of design #life\n- 2026-04-01 coffee [[Afi]] #coffee\n",
    )
    vault.write("events/Meetup.md", '---\ndate: 2026-07-10\nattendees: ["[[Jib Okafor]]"]\n---\n')
    result = vault.run("draft", "jib okafor", "--as-of", AS_OF)
    assert result.stdout == (
        "Hey Jib! I saw the news: Got promoted to head of design! Are you going to Meetup? "
        "We have to go back to Luigi's. Coffee in Bristol soon?\n"
    )
    vault.write("people/Sam.md", "")
    assert vault.run("draft", "Sam", "--as-of", AS_OF).stdout == "Hey Sam!\n"


def test_draft_does_not_cheer_hard_news(vault):
    """The built-in template said "I saw the news: Her father died!" (found by an audit)."""
    vault.write("people/Mia Moss.md", "---\ncity: Leeds\n---\n- 2026-06-10 Her father died #life\n")
    vault.write("people/Ned.md", "- 2026-06-01 Laid off from Acme #life\n")
    assert vault.run("draft", "Mia Moss", "--as-of", AS_OF).stdout == (
        "Hey Mia. I was so sorry to hear the news: Her father died. I'm thinking of you. "
        "If it would help, I'd love to see you in Leeds soon.\n"
    )
    ned = vault.run("draft", "Ned", "--as-of", AS_OF).stdout
    assert ned.startswith("Hey Ned. I was so sorry to hear the news: Laid off from Acme.")
    vault.write("people/Ola.md", "- 2026-06-01 Had a baby girl, Ada #life\n")
    assert vault.run("draft", "Ola", "--as-of", AS_OF).stdout.startswith(
        "Hey Ola! I saw the news: Had a baby girl, Ada!"
    )
    # Words that only look like hard news (a review found "hospitality" taken for one).
    for news in ("Started a new job in hospitality", "Passed her driving test"):
        vault.write("people/Ola.md", f"- 2026-06-01 {news} #life\n")
        assert vault.run("draft", "Ola", "--as-of", AS_OF).stdout.startswith("Hey Ola! I saw")


def test_draft_neither_cheers_nor_mourns_news_it_cannot_place(vault):
    """ "I saw the news: Broke her leg skiing!" and "Her dad passed!" (found by an audit):
    more hard news is known, and news that is neither known good nor known hard gets
    a plain sentence; a "!" of the note's own is not doubled."""
    for news in ("Broke her leg skiing", "Her dad passed", "Her startup shut down"):
        vault.write("people/Zoe.md", f"- 2026-06-01 {news} #life\n")
        assert vault.run("draft", "Zoe", "--as-of", AS_OF).stdout == (
            f"Hey Zoe. I was so sorry to hear the news: {news}. I'm thinking of you.\n"
        )
    vault.write("people/Zoe.md", "- 2026-06-01 Fired up about a crash course in Go #life\n")
    assert vault.run("draft", "Zoe", "--as-of", AS_OF).stdout == (
        "Hey Zoe! I heard your news: Fired up about a crash course in Go. How are you doing?\n"
    )
    vault.write("people/Zoe.md", "- 2026-06-01 She got engaged to Tom! #life\n")
    assert vault.run("draft", "Zoe", "--as-of", AS_OF).stdout == (
        "Hey Zoe! I saw the news: She got engaged to Tom!\n"
    )


def test_draft_says_a_placeholder_that_is_no_field(vault, tmp_path):
    """{frist_name} dropped the greeting without a word."""
    vault.write("people/Carla.md", "---\ncity: Lisbon\n---\n- 2026-01-01 call\n")
    template = tmp_path / "t.txt"
    template.write_text("Hi {frist_name}, good to see you. Coffee in {city} soon?\n")
    result = vault.run("draft", "Carla", "--template", str(template))
    assert result.exit_code == 0 and result.stdout == "Coffee in Lisbon soon?\n"
    assert "{frist_name} is no field of this contact" in result.stderr
    assert vault.run("draft", "Carla").stderr == ""  # the built-in template: no such notes


def test_draft_templates_cannot_reach_attributes_items_or_code(vault, tmp_path):
    vault.write("people/Jib.md", "---\nnote: 'a {name} and {{x}} inside'\ncity: '{0}'\n---\n")
    template = tmp_path / "t.txt"
    template.write_text(
        "Hi {name}. Odd: {name.__class__} {0} {{7*7}} {name[0]}. From {city}! {note}.\n"
        "Gone: {__import__}.\n"
    )
    result = vault.run("draft", "Jib", "--template", str(template))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Hi Jib. Odd: {name.__class__} {0} {{7*7}} {name[0]}. From {0}! "
        "a {name} and {{x}} inside.\n"
    )


def test_draft_placeholders_render_values_as_text():
    from mdnet.draft import render

    fields = {"name": "Jib", "city": "{0}", "note": "{name}"}
    assert render("Hi {name}. From {city}. {note}!", fields) == "Hi Jib. From {0}. {name}!\n"
    assert render("{name.__class__} {0} {{7*7}} {name[0]} ok {name}.", fields) == (
        "{name.__class__} {0} {{7*7}} {name[0]} ok Jib.\n"
    )
    assert render("Hi {name}. Bye {missing}.", fields) == "Hi Jib.\n"


def test_an_empty_field_leaves_out_its_line_not_a_template_without_full_stops():
    """A template of lines without . ! ? was one "sentence": one empty field printed an
    empty message."""
    from mdnet.draft import render

    template = "Hi {first_name},\n\nHope all is well in {city}\n\nSee you soon\n"
    assert render(template, {"first_name": "Bo", "city": ""}) == "Hi Bo,\n\nSee you soon\n"


def test_a_left_out_sentence_takes_its_line_break_with_it():
    from mdnet.draft import render

    template = "Hi {first_name}.\nI saw the news: {bring_up}.\nCoffee soon?\n"
    assert render(template, {"first_name": "Jib"}) == "Hi Jib.\nCoffee soon?\n"
    # ... only when the whole line goes, and a left-out paragraph leaves one blank line
    template = "Hi {first_name}. How was {event}?\nBye.\n"
    assert render(template, {"first_name": "Jib"}) == "Hi Jib.\nBye.\n"
    template = "Hi {first_name}.\n\nI saw the news: {bring_up}.\n\nCoffee soon?\n"
    assert render(template, {"first_name": "Jib"}) == "Hi Jib.\n\nCoffee soon?\n"


def test_a_brace_group_is_never_cut_into_sentences():
    """`{city!r}` was cut at its `!`: half of it printed, the other half dropped with
    the rest of its sentence."""
    from mdnet.draft import render

    fields = {"city": "Bristol", "name": "Jo"}
    assert render("Keep {city!r} and {unknown} here. Hi {name}.", fields) == "Hi Jo.\n"
    assert render("Keep {city!r} and {a.b} here. Hi {name}", fields) == (
        "Keep {city!r} and {a.b} here. Hi Jo\n"
    )
    assert render("Odd { brace! Hi {name}.", fields) == "Odd { brace! Hi Jo.\n"


@given(st.text(alphabet=".!?…\n {}ab", max_size=40))
def test_sentences_cover_the_whole_template(template):
    from mdnet.draft import SENTENCE

    assert "".join(SENTENCE.findall(template)) == template


def test_a_trip_lists_everyone_in_the_city_overdue_first(vault):
    vault.write("people/Late.md", "---\ncity: Lisbon\ncadence: 10d\n---\n- 2026-01-01 x\n")
    vault.write("people/Fine.md", "---\ncity: lisbon\n---\n- 2026-06-20 dinner\n")
    vault.write("people/Quiet.md", "---\ncity: Lisbon\ncadence: none\n---\n- 2025-06-20 x\n")
    vault.write("people/Elsewhere.md", "---\ncity: Porto\n---\n")
    result = vault.run(
        "report", "reconnect", "--city", "Lisbon", "--as-of", AS_OF, "--format", "json"
    )
    rows = json.loads(result.stdout)["contacts"]
    assert [(r["name"], r["reason"]) for r in rows] == [
        ("Late", "overdue"),
        ("Quiet", "no_cadence"),
        ("Fine", "ok"),
    ]
    text = vault.run("report", "reconnect", "--city", "Lisbon", "--as-of", AS_OF).stdout
    assert "in touch" in text and "Elsewhere" not in text


def test_mentions_count_for_the_first_date_rule_unless_turned_off(vault):
    vault.write("people/M.md", "- 2026-05-01 coffee\n")
    vault.write("Daily/2026-05-10.md", "saw [[M]]\n")
    assert ask(vault, "M")[1]["prior_days"] == 2
    vault.write(".mdnet.toml", "mentions = false\n")
    assert ask(vault, "M")[1]["prior_days"] == 1


def test_draft_fills_any_property_name_and_says_which_has_no_text(vault, tmp_path):
    """`{favorite-food}` could never be filled, `{restaurant}` missed `Restaurant`, and
    `{vegan}` (true) or `{nested}` (a mapping) were called "no field of this contact",
    sending the user after a typo that was not there (found by an audit)."""
    vault.write(
        "people/Kim.md",
        "---\nname: Kim Lee\nfavorite-food: pizza\nvegan: true\nnested: {a: 1}\n"
        "Restaurant: Luigi\n---\n",
    )
    template = tmp_path / "t.txt"
    template.write_text("A {favorite-food}. B {vegan}. C {nested}. D {restaurant}. E {nope}.\n")
    result = vault.run("draft", "Kim", "--template", str(template), "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stdout == "A pizza. B true. D Luigi.\n"
    assert result.stderr == (
        "mdnet: draft: {nested} is a property of this contact with no text to put in a "
        "message; its sentence was left out\n"
        "mdnet: draft: {nope} is no field of this contact (a typo? the fields: name, "
        "first_name, last_text, last_date, bring_up, event, city and its properties); its "
        "sentence was left out\n"
    )
