"""The documents stay true to the code: every playbook entry cites tests that exist, every
setting is documented in the README and both manuals, and the manuals are kept in step."""

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def read(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def playbook_sections() -> list[tuple[str, str]]:
    parts = re.split(r"^## ", read("docs/FAILURE_ANALYSIS.md"), flags=re.M)[1:]
    return [(part.splitlines()[0], part) for part in parts]


def test_every_playbook_entry_cites_at_least_one_test():
    sections = playbook_sections()
    assert len(sections) >= 11
    for title, body in sections:
        assert CITATION.search(body), f"playbook entry {title!r} cites no test"


@pytest.mark.parametrize(
    "path, name", sorted({m.groups() for m in CITATION.finditer(read("docs/FAILURE_ANALYSIS.md"))})
)
def test_every_cited_test_exists(path, name):
    assert (REPO / path).is_file(), path
    assert name in defined_tests(REPO / path), f"{path}::{name} does not exist"


def settings_variables() -> set[str]:
    source = read("dashboard/settings.py")
    return set(
        re.findall(
            r'"((?:DASHBOARD|DB|DATABASE|REDIS|N8N|RISK|BOT_STATUS|CANDLE)_[A-Z_]+|DATABASE_URL|REDIS_URL|N8N_URL)"',
            source,
        )
    )


def test_the_settings_module_reads_the_variables_we_expect():
    variables = settings_variables()
    assert {"DATABASE_URL", "REDIS_URL", "DASHBOARD_TIMEZONE", "RISK_DAILY_LOSS_LIMIT_PCT"} <= variables


@pytest.mark.parametrize("document", ["README.md", "docs/USER_MANUAL.md", "docs/USER_MANUAL.ko.md"])
def test_every_setting_is_documented(document):
    text = read(document)
    missing = sorted(v for v in settings_variables() if f"`{v}`" not in text)
    assert not missing, f"{document} does not document {missing}"


def test_every_gunicorn_setting_is_documented_in_the_readme():
    variables = set(re.findall(r'"(GUNICORN_[A-Z_]+)"', read("deploy/gunicorn.conf.py")))
    missing = sorted(v for v in variables if f"`{v}`" not in read("README.md"))
    assert variables and not missing, missing


def test_the_english_and_korean_manuals_are_kept_in_step():
    english, korean = read("docs/USER_MANUAL.md"), read("docs/USER_MANUAL.ko.md")
    section = re.compile(r"^## (\d+)\.", re.M)
    assert section.findall(english) == section.findall(korean)
    options = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
    assert set(options.findall(english)) == set(options.findall(korean))
    url_parameters = re.compile(r"`(symbol|width|count|overlay|side|status|from|to|days|regime|exit_reason)`")
    assert set(url_parameters.findall(english)) == set(url_parameters.findall(korean))


@pytest.mark.parametrize("document", ["README.md", "docs/USER_MANUAL.md", "docs/USER_MANUAL.ko.md"])
def test_the_history_url_parameters_are_documented(document):
    text = read(document)
    assert all(f"`{p}`" in text for p in ("regime", "exit_reason")), document


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = read("README.md")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in read(".ci/run")
