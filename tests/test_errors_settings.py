"""The error tree's codes and messages, and the one settings surface for STORYLINE_* variables."""

from __future__ import annotations

import pytest

from storyline.errors import (
    AmbiguousId,
    ConfigError,
    DecodeFailure,
    InputError,
    ModelError,
    NoSuchDatabase,
    NotFound,
    QuerySyntaxError,
    StateError,
    StoreError,
    StorylineError,
    TooDeep,
    TooLarge,
)
from storyline.settings import load_settings


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (NoSuchDatabase("typo.db"), "[E401] no such database: typo.db"),
        (NotFound("story", "abc"), "[E402] no story with id 'abc'"),
        (
            AmbiguousId("article", "a1", ["a1b", "a1c"]),
            "[E403] article id prefix 'a1' is ambiguous: a1b, a1c",
        ),
        (
            QuerySyntaxError("unbalanced double quote in search query"),
            "[E404] unbalanced double quote in search query",
        ),
        (TooLarge("page.html", 20 * 1024 * 1024), "[E102] page.html is over the 20 MB limit"),
        (TooDeep("page.html", 255), "[E103] page.html is too deeply nested (over 255 levels)"),
        (
            ModelError("cleaner", "version 3 expected, file has 2"),
            "[E200] model 'cleaner': version 3 expected, file has 2",
        ),
        (ConfigError("STORYLINE_WORKERS='x': not a number"), "[E001] STORYLINE_WORKERS='x': not a number"),
    ],
)
def test_messages_carry_their_codes(error: StorylineError, message: str) -> None:
    assert str(error) == message
    assert message.startswith(f"[{error.code}] ")


def test_tree() -> None:
    assert issubclass(DecodeFailure, InputError) and issubclass(TooLarge, InputError)
    assert issubclass(TooDeep, InputError)
    for family in (NoSuchDatabase, NotFound, AmbiguousId, QuerySyntaxError):
        assert issubclass(family, StoreError)
    for top in (ConfigError, InputError, ModelError, StateError, StoreError):
        assert issubclass(top, StorylineError)
    codes = [
        cls.code
        for cls in (
            ConfigError,
            InputError,
            DecodeFailure,
            TooLarge,
            TooDeep,
            ModelError,
            StateError,
            StoreError,
            NoSuchDatabase,
            NotFound,
            AmbiguousId,
            QuerySyntaxError,
        )
    ]
    assert len(set(codes)) == len(codes)


def test_settings_from_the_environment() -> None:
    settings = load_settings(
        {
            "STORYLINE_DB": "x.db",
            "STORYLINE_WRITE_RATE": "off",
            "STORYLINE_TOKEN": " ",
            "OTHER": "1",
            "STORYLINE_UNKNOWN": "y",
        }
    )
    assert (settings.db, settings.write_rate, settings.token, settings.pg_pool) == ("x.db", 0.0, None, 4)
    assert load_settings({}).db is None


def test_a_bad_setting_names_its_variable() -> None:
    with pytest.raises(ConfigError, match=r"^\[E001\] STORYLINE_WORKERS='many': "):
        load_settings({"STORYLINE_WORKERS": "many"})
    with pytest.raises(ConfigError, match="STORYLINE_PG_POOL"):
        load_settings({"STORYLINE_PG_POOL": "0"})
