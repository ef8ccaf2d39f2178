"""schemathesis against the OpenAPI schema, as its command line runs it: every phase (examples,
coverage, fuzzing, stateful) and every check, with a bounded number of examples.

0 failures means: no 5xx, every answer matches its documented schema, status code, content
type and headers, valid requests are accepted and invalid ones rejected. About a minute on
SQLite, three on PostgreSQL; LEAD_FUZZ_SEED and LEAD_FUZZ_EXAMPLES explore further.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from fastapi import FastAPI
from schemathesis import Case, openapi
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from tests.web.conftest import World

# A fixed seed: CI sees the same cases every run; LEAD_FUZZ_SEED explores others.
SEED = int(os.environ.get("LEAD_FUZZ_SEED", "19"))
EXAMPLES = int(os.environ.get("LEAD_FUZZ_EXAMPLES", "10"))  # per operation and phase

# Rules no JSON Schema can state, so schema-valid input can break them and rightly get 422:
# by operation, the fields our own checks name in `detail` (only those are excused, and only
# for the "valid data accepted" check; a type or format error is never excused).
BEYOND_SCHEMA: dict[str, tuple[str, ...]] = {
    # An identity is an e-mail, a LinkedIn URL, a Mastodon address or kind:value, each with
    # its own rules (domain/identities.py).
    "POST /api/people": ("identity ",),
    "PATCH /api/people/{person_id}": ("identity ",),
    # The file must be an export of a kind we read; its bytes are not described by a schema.
    "POST /api/import": ("file ", "format "),
    # Two ids that must differ.
    "POST /api/ties": ("knows: expected two different people",),
    "POST /api/introductions": ("introduce: expected two different people",),
    "POST /api/people/{person_id}/merge": ("merge: name two different people",),
    # One field that needs another, or forbids it.
    "POST /api/posts": (
        "repeat: needs every_days",
        "at and next_slot: choose one",
        # A variant is for one of the networks the post goes to.
        "variants ",
    ),
    "POST /api/posts/{post_id}/schedule": ("at and next_slot: choose one",),
    "PUT /api/profile": (
        "lead_profile_parts: send it or lead_profile, not both",
        # The parts compose a profile only with who a good lead is or what they need.
        "lead profile: expected at least who a good lead is or what they need",
    ),
    # A budget between 15 minutes and 24 hours in any unit; windows that end after they start.
    "PATCH /api/settings": ("budget ", "preferred_hours "),
}
# Each network's own rules on a post's text (its length as the network counts it, some text
# left once it is trimmed): the error starts with the network's name.
NETWORK_RULES = ("mastodon: ", "bluesky: ", "discourse: ", "linkedin: ", "x: ", "facebook: ")
BEYOND_SCHEMA["POST /api/posts"] += NETWORK_RULES
BEYOND_SCHEMA["PATCH /api/posts/{post_id}"] = NETWORK_RULES
# A 404 for a person named in the body, not for the resource in the path that the stateful
# phase just created: its "created resource not found" check cannot tell them apart.
OTHER_RESOURCE: dict[str, tuple[str, str]] = {  # the message, and the path's own id
    "POST /api/leads/{lead_id}/pass": ("no person #", ""),
    "POST /api/people/{person_id}/merge": ("merge: no person #", "person_id"),
}


def _excused(check: str, case: Case[Any], status: int, body: bytes) -> bool:
    """A 422 to schema-valid input that only names the rules of BEYOND_SCHEMA, or a 404 that
    names another resource than the one just created."""
    operation = case.operation.label
    if check == "ensure_resource_availability" and status == 404 and operation in OTHER_RESOURCE:
        prefix, own = OTHER_RESOURCE[operation]
        detail = str(json.loads(body).get("detail", ""))
        own_id = f"{prefix}{(case.path_parameters or {}).get(own)} "
        return detail.startswith(prefix) and not detail.startswith(own_id)
    rules = BEYOND_SCHEMA.get(operation, ())
    if check != "positive_data_acceptance" or status != 422:
        return False
    try:
        problems = json.loads(body)["detail"]
    except (ValueError, KeyError, TypeError):
        return False
    # Services refuse a text of white space alone (a blank name is no name). Which characters
    # are white space differs between regex dialects (Python's str.isspace takes \x1c-\x1f,
    # ECMAScript's \s does not), so no schema pattern can say it the same way to every client.
    blank = _has_blank_text(case.body)
    return all(
        p.get("type") == "value_error"
        and (blank or (bool(rules) and str(p.get("msg", "")).startswith(rules)))
        for p in problems
    )


def _has_blank_text(value: object) -> bool:
    """Whether a request body holds a non-empty text that is white space to Python."""
    if isinstance(value, str):
        return bool(value) and not value.strip()
    if isinstance(value, dict):
        return any(_has_blank_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_blank_text(v) for v in value)
    return False


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "workers": 1,
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES, "database": "none", "mode": "all"},
            "phases": {"stateful": {"max-steps": 20}},
            "cache": {"enabled": False},
        }
    )


def _failures(app: FastAPI, token: str) -> tuple[list[str], Counter[str]]:
    loaded = openapi.from_asgi("/api/openapi.json", app, config=_config(token))
    # Connecting asks the network named by `url` (bsky.social by default) who the credentials
    # are: traffic off the machine. tests/web/test_api_contract.py covers that route.
    schema = loaded.exclude(method="POST", path="/api/accounts")
    found: list[str] = []
    phases: Counter[str] = Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            found.append(f"error in {event.label}: {event.info.format()}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        phases[event.phase.value] += len(event.recorder.cases)
        if event.status != Status.FAILURE:
            continue
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                if check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                interaction = event.recorder.interactions.get(case_id)
                response = interaction.response if interaction else None
                # Stateful scenarios chain operations: excuse by the operation of the call.
                case = event.recorder.cases[case_id].value
                operation = case.operation.label
                if response is not None and _excused(
                    check.name, case, response.status_code, response.content
                ):
                    continue
                answer = f"{response.status_code} {response.content[:300]!r}" if response else None
                found.append(
                    f"{event.phase.value} {operation} [{check.name}] {failure.title}: "
                    f"{failure.message[:400]} (answered {answer})\n"
                    f"    {check.failure_info.code_sample}"
                )
    return found, phases


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def test_schemathesis_finds_no_failure_in_any_phase(app: FastAPI, world: World) -> None:
    found, phases = _failures(app, world.tokens["ana"])
    assert set(phases) >= {"examples", "coverage", "fuzzing", "stateful"}, phases
    assert not found, "\n".join(_unique(found))
