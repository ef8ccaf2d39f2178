"""`lead leads`, `referrals`, `referrers`, `path`, `introduce`, `profile` as a user types them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from takethelead.cli.app import app
from takethelead.services.leads.embeddings import semantic_available

runner = CliRunner()
Env = dict[str, str | None]


def lead(env: Env, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env, input=input)
    return result.exit_code, result.output


@pytest.fixture
def circle(cli_env: Env) -> Env:
    for args in (
        ("Ana Díaz", "--offer", "Bookkeeping and payroll for small businesses"),
        ("Bruno Costa", "--offer", "Websites for bakeries and cafés"),
        ("Maria Rossi", "--company", "Greenleaf Bakery"),
    ):
        code, out = lead(cli_env, "people", "add", *args)
        assert code == 0, out
    for name, kind in (("Ana Díaz", "meeting"), ("Bruno Costa", "call"), ("Maria", "meeting")):
        code, out = lead(cli_env, "log", f"{kind} with {name}", "--kind", kind)
        assert code == 0, out
    code, out = lead(cli_env, "knows", "Bruno Costa", "Maria Rossi")
    assert code == 0, out
    return cli_env


def test_a_lead_is_added_matched_listed_and_passed_on(circle: Env) -> None:
    code, out = lead(
        circle,
        "leads",
        "add",
        "Maria's bakery needs a bookkeeper who knows payroll",
        "--from",
        "Maria",
        "--no-semantic",
        "--json",
    )
    assert code == 0, out
    added = json.loads(out)
    assert added["lead"]["from_person"] == "Maria Rossi"
    best = added["matches"]["matches"][0]
    assert best["full_name"] == "Ana Díaz"
    assert "matched: bookkeeper, payroll" in best["why"]
    number = str(added["lead"]["id"])
    code, out = lead(circle, "leads", "match", number, "--no-semantic")
    assert code == 0, out
    assert "1. Ana Díaz" in out and "ranked by BM25" in out
    code, out = lead(circle, "leads", "pass", number, "--to", "Ana Díaz")
    assert code == 0, out
    assert "passed to Ana Díaz (status given)" in out
    code, out = lead(circle, "leads", "--json")
    assert [(x["id"], x["status"]) for x in json.loads(out)] == [(int(number), "passed")]
    code, out = lead(circle, "referrals", "--json")
    [given] = json.loads(out)
    assert (given["direction"], given["person"]) == ("given", "Ana Díaz")
    assert given["lead_id"] == int(number)


def test_a_received_referral_is_followed_until_won_and_a_thank_you_is_due(circle: Env) -> None:
    code, out = lead(
        circle, "referrals", "add", "--from", "Bruno Costa", "a café owner", "--value", "300",
        "--json",
    )  # fmt: skip
    assert code == 0, out
    number = str(json.loads(out)["id"])
    for status in ("contacted", "met"):
        code, out = lead(circle, "referrals", "update", number, status)
        assert code == 0, out
    code, out = lead(circle, "referrals", "update", number, "won", "--value", "1200")
    assert code == 0, out
    assert "A thank-you to Bruno Costa is due" in out
    code, out = lead(circle, "referrals", "--status", "won", "--json")
    [won] = json.loads(out)
    assert (won["value"], won["thank_due"]) == (1200.0, True)
    code, out = lead(circle, "ledger", "Bruno Costa", "--json")
    assert code == 0, out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("referrals", "update", "{id}", "finished"), "status 'finished'"),
        (("referrals", "update", "{id}", "won", "--value", "-3"), "value: expected an amount"),
        (("referrals", "update", "999999", "won"), "referral #999999"),
        (("referrals", "add", "a tip"), "--to/--from: expected exactly one"),
        (("leads", "add", "   "), "lead: expected a few words"),
        (("leads", "match", "999999", "--no-semantic"), "lead #999999"),
        (("path", "Zyx Qwv"), "nobody and no company matches"),
        (("introduce", "Ana Díaz"), "introduce: expected A B"),
    ],
)
def test_bad_input_is_one_clear_error_and_writes_nothing(
    circle: Env, args: tuple[str, ...], message: str
) -> None:
    code, out = lead(circle, "referrals", "add", "--to", "Ana Díaz", "--json")
    assert code == 0, out
    number = str(json.loads(out)["id"])
    code, out = lead(circle, *(arg.replace("{id}", number) for arg in args))
    assert code == 1
    assert message in " ".join(out.split())
    assert len([line for line in out.splitlines() if line.startswith("error:")]) == 1
    code, out = lead(circle, "referrals", "--json")
    assert [r["status"] for r in json.loads(out)] == ["given"]
    code, out = lead(circle, "leads", "--json")
    assert json.loads(out) == []


def test_a_path_names_who_to_ask(circle: Env) -> None:
    code, out = lead(circle, "path", "Maria Rossi", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["target"] == "Maria Rossi"
    explanations = [p["explanation"] for p in report["paths"]]
    assert any(e.startswith("ask Bruno Costa (") and "knows Maria Rossi" in e for e in explanations)
    code, out = lead(circle, "path", "Greenleaf Bakery")
    assert code == 0, out
    assert "Paths to anyone at Greenleaf Bakery (1 people)" in out
    assert "widest:" in out


def test_an_introduction_is_asked_of_both_sides_before_it_is_made(circle: Env) -> None:
    code, out = lead(
        circle, "introduce", "Maria Rossi", "Ana Díaz", "--reason", "Maria needs payroll help"
    )
    assert code == 0, out
    assert "To Maria Rossi:" in out and "To Ana Díaz:" in out
    assert "Would you like me to connect you?" in out
    code, out = lead(circle, "introduce", "list", "--json")
    number = str(json.loads(out)[0]["id"])
    code, out = lead(circle, "introduce", "accept", number, "A")
    assert code == 0, out
    assert "Waiting for the other side" in out
    code, out = lead(circle, "introduce", "accept", number, "Ana Díaz", "--json")
    made = json.loads(out)
    assert made["status"] == "made"
    assert "Maria, meet Ana Díaz" in made["drafts"][0]["body"]
    code, out = lead(circle, "introduce", "list", "--json")
    assert [i["status"] for i in json.loads(out)] == ["made"]


def test_the_profile_is_written_from_answers_and_referrers_read_it(circle: Env) -> None:
    answers = "\n".join(
        [
            "Career coaching for new managers",
            "managers promoted in the last year",
            "coaching for their first team",
            "teams of 3 to 10",
            "a new title on LinkedIn",
        ]
    )
    code, out = lead(circle, "profile", "--interactive", input=answers + "\n")
    assert code == 0, out
    assert "What I do: Career coaching for new managers." in out
    assert (
        "A good lead for me: Managers promoted in the last year who need coaching for their "
        "first team (teams of 3 to 10). Signals: a new title on LinkedIn." in " ".join(out.split())
    )
    code, out = lead(circle, "people", "add", "Hana Ito", "--offer", "HR for promoted managers")
    assert code == 0, out
    code, out = lead(circle, "referrers", "--no-semantic", "--json")
    assert code == 0, out
    assert json.loads(out)["matches"][0]["full_name"] == "Hana Ito"
    code, out = lead(circle, "profile", "--offer", "Coaching for new managers", "--json")
    assert json.loads(out)["offer"] == "Coaching for new managers"


@pytest.mark.skipif(
    not semantic_available(), reason="the semantic extra (MiniLM ONNX, tokenizers) is not installed"
)
def test_semantic_matching_is_used_when_installed(circle: Env) -> None:
    code, out = lead(circle, "leads", "add", "someone to sort out my accounts and wages", "--json")
    assert code == 0, out
    found = json.loads(out)["matches"]
    assert found["semantic"] is True
    assert found["matches"][0]["full_name"] == "Ana Díaz"
