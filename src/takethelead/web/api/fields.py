"""What request bodies are made of: strict fields, so a client's mistake is a 422 naming the
field, never a guess (0 read as false, a number read as a time, "5" read as 5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from takethelead.web.deps import MAX_ID

# A host name whose last label starts with a letter, or an IPv4 address written the usual way.
# Numbers written otherwise (0177.0.0.1, 2130706433, 0x7f.1) mean different hosts to different
# parsers, so they are refused rather than read one way here and another in the connector.
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LAST: Final = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PORT: Final = (
    r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)"
)
_HOST: Final = rf"(?:(?:{_LABEL}\.)*{_LAST}\.?|{_OCTET}(?:\.{_OCTET}){{3}})"
# Printable ASCII only after the host (anything else is percent-encoded): the same in every
# regex dialect, where \s is not.
WEB_ADDRESS: Final = rf"https?://{_HOST}(?::{_PORT})?(?:[/?#][!-~]*)?"
URL_RULE: Final = (
    "a web address: http or https, then a host name (or a plain IPv4 address) and an"
    " optional port and path, e.g. https://mastodon.social"
)


_ADDRESS_PART: Final = r"[!-?A-~]+"  # printable ASCII but "@" and space
EMAIL: Final = rf"{_ADDRESS_PART}@[!-?A-~]*\.[!-?A-~]*"


class RequestBody(BaseModel):
    """A JSON body: unknown fields refused, and no type coerced into another."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    @model_validator(mode="before")
    @classmethod
    def _json_numbers(cls, data: Any) -> Any:
        return _whole_numbers(data)


def _whole_numbers(value: Any) -> Any:
    """JSON has one kind of number, so 4.0 is the integer 4 (JSON Schema agrees); 4.5, "4"
    and true stay what they are, and an integer field refuses them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


@dataclass(frozen=True)
class Checked:
    """A text that must match `pattern`: clients read the pattern in the schema, and a
    mismatch says what is expected (pydantic's own error would quote the expression)."""

    pattern: str
    rule: str
    empty: bool = False  # "" is allowed too

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        compiled = re.compile(self.pattern)

        def check(value: Any, info: ValidationInfo) -> Any:
            fits = not isinstance(value, str) or (self.empty and not value)
            if not fits and not compiled.fullmatch(value):
                message = f"{info.field_name} {value[:80]!r}: expected {self.rule}"
                raise PydanticCustomError("value_error", message)
            return value

        return core_schema.with_info_before_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        found = handler(schema)
        found["pattern"] = f"^(?:{self.pattern})?$" if self.empty else f"^(?:{self.pattern})$"
        return found


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 text, e.g. 2026-03-01T09:30:00+01:00")
    return value


# Times are texts with their offset ("Z" for UTC); dates are texts like 2026-03-01.
# Strict(False): strict mode would want Python objects; the text is what JSON carries.
Moment = Annotated[AwareDatetime, Strict(False), BeforeValidator(_iso_text)]
Day = Annotated[date, Strict(False), BeforeValidator(_iso_text)]
RowRef = Annotated[int, Field(ge=1, le=MAX_ID)]
# The pattern is in the schema for clients and generators; the check is ours, with its message.
WebAddress = Annotated[
    str, Checked(WEB_ADDRESS, URL_RULE), Field(min_length=1, max_length=500, description=URL_RULE)
]
WebAddressOrNone = Annotated[
    str,
    Checked(WEB_ADDRESS, URL_RULE, empty=True),
    Field(max_length=500, description=f"Empty for none; else {URL_RULE}"),
]
Email = Annotated[str, Checked(EMAIL, "an e-mail address"), Field(max_length=320)]
EmailOrNone = Annotated[str, Checked(EMAIL, "an e-mail address", empty=True), Field(max_length=320)]
