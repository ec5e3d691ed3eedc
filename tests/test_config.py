"""Finding the vault and reading `.mdnet.toml`."""

from __future__ import annotations

import json

import pytest

from mdnet.config import find_vault, load_config
from mdnet.errors import ConfigError, UsageError


def test_vault_option_then_env_then_markers_then_cwd(tmp_path, monkeypatch):
    root = tmp_path / "notes"
    deep = root / "a" / "b"
    deep.mkdir(parents=True)
    (root / ".obsidian").mkdir()
    assert find_vault(None, cwd=deep) == root
    (root / "a" / ".mdnet.toml").write_text("")
    assert find_vault(None, cwd=deep) == root / "a"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_vault(None, cwd=elsewhere) == elsewhere
    monkeypatch.setenv("MDNET_VAULT", str(root))
    assert find_vault(None, cwd=elsewhere) == root
    assert find_vault(str(elsewhere), cwd=deep) == elsewhere


def test_missing_vault_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not a folder"):
        find_vault(str(tmp_path / "nope"))


def test_defaults_without_a_config(tmp_path):
    config = load_config(tmp_path)
    assert (config.people_dir, config.events_dir, config.default_cadence) == (
        "people",
        "events",
        90,
    )
    assert config.circles == {
        "inner": 14,
        "close": 30,
        "friends": 90,
        "network": 180,
        "acquaintances": 365,
    }
    assert config.birthday_horizon == 14 and config.mentions is True


def test_full_config(tmp_path):
    (tmp_path / ".mdnet.toml").write_text(
        'people_dir = "Contacts/"\nevents_dir = "Ev"\nignore = ["Templates/**"]\n'
        'default_cadence = "2m"\nbirthday_horizon = "1w"\nmentions = false\n'
        '[circles]\nclose = "3w"\nfamily = "weekly"\n'
        '[watch.reports]\nreconnect = "Reports/Reconnect.md"\n'
    )
    config = load_config(tmp_path)
    assert config.people_dir == "Contacts" and config.events_dir == "Ev"
    assert config.ignore == ("Templates/**",)
    assert (config.default_cadence, config.birthday_horizon, config.mentions) == (60, 7, False)
    assert config.circles["close"] == 21 and config.circles["family"] == 7
    assert config.circles["inner"] == 14
    assert config.watch_reports == {"reconnect": "Reports/Reconnect.md"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("people_dir = [", "mdnet.toml"),
        ('default_cadence = "soon"', "not a duration"),
        ("ignore = 3", "ignore"),
        ('[circles]\nclose = "x"', "circles.close"),
        # Values of the wrong type stopped every command with an internal error, and
        # "false" in quotes turned mentions on.
        ('circles = "close"', "circles must be a table"),
        ("circles = [1]", "circles must be a table"),
        ("watch = 5", "watch must be a table"),
        ("[watch]\nreports = 5", "watch.reports"),
        ('mentions = "false"', "mentions must be true or false"),
        ("person_template = 3", "person_template"),
        ('people_dir = ".."', "people_dir must be a folder inside the vault"),
        ('events_dir = "a/../../b"', "events_dir must be a folder inside the vault"),
        ('people_dir = ".hidden"', "people_dir must be a folder inside the vault"),
        # The watcher wrote these: a folder and a note next to the vault.
        ('[watch.reports]\nreconnect = "../escape/R.md"', "reconnect must be a note inside"),
        ('[watch.reports]\ngifts = "~/G.md"', "gifts must be a note inside"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, text, message):
    (tmp_path / ".mdnet.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_bad_config_through_the_cli_is_one_line_exit_2(vault):
    vault.write(".mdnet.toml", 'default_cadence = "soon"\n')
    result = vault.run("report")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "default_cadence" in result.stderr


def test_dot_parts_of_a_path_are_dropped_not_refused(tmp_path):
    (tmp_path / ".mdnet.toml").write_text(
        'people_dir = "./people/"\n[watch.reports]\nreconnect = "./Reports/./Reconnect.md"\n'
    )
    config = load_config(tmp_path)
    assert config.people_dir == "people"
    assert config.watch_reports == {"reconnect": "Reports/Reconnect.md"}


def test_check_names_a_misspelt_key_and_errors_name_their_line(vault):
    """`default_cadance = "30d"` was ignored without a word (every reminder kept 90
    days), and a value error named the file but not the line."""
    vault.write(
        ".mdnet.toml",
        'people_dir = "people"\ndefault_cadance = "30d"\nmention = false\n'
        '[watch]\nreport = "x"\n[circles]\nclose = "20d"\n',
    )
    vault.write("people/Ann.md", "- 2026-01-01 call\n")
    out = vault.run("check").stdout.splitlines()
    assert out == [
        ".mdnet.toml:2: warning: unknown key 'default_cadance'; did you mean 'default_cadence'?",
        ".mdnet.toml:3: warning: unknown key 'mention'; did you mean 'mentions'?",
        ".mdnet.toml:5: warning: unknown key [watch] 'report'; did you mean 'reports'?",
    ]
    vault.write(
        ".mdnet.toml", 'people_dir = "people"\n\n[circles]\nfriends = "9d"\nclose = "3 months"\n'
    )
    result = vault.run("check")  # check lists it as an error; other commands stop (exit 2)
    assert result.exit_code == 1 and result.stdout.startswith(
        ".mdnet.toml:5: error: circles.close:"
    )
    vault.write(".mdnet.toml", "# people\nmentions = 'false'\n")
    assert vault.run("report").stderr.startswith("mdnet: .mdnet.toml:2: mentions must be")
    vault.write_bytes(".mdnet.toml", b"# notes\npeople_dir = 'caf\xe9'\n")
    assert vault.run("report").stderr.startswith("mdnet: .mdnet.toml:2: not UTF-8")


@pytest.mark.parametrize(
    "value",
    [
        "/home/me/people",
        "C:/people",
        "peo\\u0000ple",
        "peo\\nple",
        "peo\\u2028ple",
        "peo\\u202eple",
    ],
)
def test_a_people_folder_that_is_absolute_or_holds_a_control_character_is_refused(vault, value):
    """/home/me/people was read as home/me/people inside the vault (reports empty, no
    word); a NUL in it crashed import."""
    vault.write(".mdnet.toml", f'people_dir = "{value}"\n')
    result = vault.run("report")
    assert result.exit_code == 2 and result.stderr.startswith("mdnet: .mdnet.toml:1: people_dir")


def test_an_ignore_glob_may_start_with_dot_slash(vault):
    vault.write(".mdnet.toml", 'ignore = ["./Archive/**"]\n')
    vault.write("Archive/people/Old.md", "---\ntags: [person]\n---\n")
    vault.write("people/Ann.md", "")
    names = vault.run("query", "SELECT name FROM contacts", "--format", "json").stdout
    assert json.loads(names) == [{"name": "Ann"}]


def test_a_people_folder_with_a_joiner_or_a_no_break_space_is_fine(vault):
    """Refusing every character that is not printable refused Persian's ZWNJ and emoji
    joiners, which names hold: only control characters are refused."""
    for name in ("دوست\u200cها", "👨\u200d👩\u200d👧 Family", "My\u00a0people"):
        vault.write(".mdnet.toml", f'people_dir = "{name}"\n')
        vault.write(f"{name}/Ann.md", "")
        names = vault.run("query", "SELECT name FROM contacts", "--format", "json")
        assert json.loads(names.stdout) == [{"name": "Ann"}], names.output


def test_a_long_run_of_spaces_in_the_config_is_read_in_one_pass(tmp_path):
    """Finding a key's line read every line as a possible `[table]` with a lazy regex:
    a multi-line string holding `[` and 3,000 spaces made every command take 20 s. The
    bound is loose: it catches the cubic cost, not a slow machine."""
    import time

    gap = " " * 3000
    (tmp_path / ".mdnet.toml").write_text(
        f'note = """\n[{gap}x\n[ a ]{gap}]\n"""\n[ circles ]  # mine\nclose = "soon"\n'
    )
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"^\.mdnet\.toml:6: circles\.close"):
        load_config(tmp_path)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("text", ["a = " + "[" * 100_000, "a = " + "{b = " * 100_000])
def test_a_config_nested_too_deeply_is_one_clear_error(vault, text):
    """tomllib reads nesting by recursion: 100,000 `[` stopped every command with an
    internal RecursionError."""
    vault.write(".mdnet.toml", text + "\n")
    result = vault.run("report")
    assert result.exit_code == 2, result.output
    assert result.stderr == "mdnet: .mdnet.toml: arrays or tables nested too deeply to read\n"


def test_two_reports_in_one_note_are_refused_naming_the_line(vault):
    """The watcher wrote such a note twice a save, and the last report won."""
    for second in ('"Reports/R.md"', '"./reports\\\\r.md"', "'Reports//./R.MD'"):
        vault.write(
            ".mdnet.toml",
            f'[watch.reports]\nreconnect = "Reports/R.md"\n\ngifts = {second}\n',
        )
        result = vault.run("report")
        assert result.exit_code == 2, (second, result.output)
        assert result.stderr.startswith(
            "mdnet: .mdnet.toml:4: [watch.reports] gifts: "
        ) and result.stderr.endswith(
            "is already the note of reconnect; give each report a note of its own\n"
        )
    vault.write(
        ".mdnet.toml", '[watch.reports]\nreconnect = "Reports/R.md"\ngifts = "Reports/G.md"\n'
    )
    assert vault.run("report").exit_code == 0
