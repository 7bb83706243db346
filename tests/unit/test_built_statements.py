"""Statements kept for their key and used again (tracker.queries.sql.BuiltStatements)."""

from sqlalchemy import literal, select

from tracker.queries.sql import BuiltStatements


def recording(calls: list, value):
    """Return a builder of one statement that notes ``value`` in ``calls`` when it runs."""

    def make():
        calls.append(value)
        return [select(literal(value))]

    return make


def test_a_key_asked_for_again_gets_the_statements_built_the_first_time():
    built = BuiltStatements(2)
    calls = []
    first = built.get(("a",), recording(calls, 1))
    again = built.get(("a",), recording(calls, 99))
    assert calls == [1]
    assert again == first and again[0] is first[0]
    # A list of its own each time: a caller's changes to it are not kept.
    again.append(select(literal(2)))
    assert len(built.get(("a",), recording(calls, 99))) == 1


def test_the_key_used_longest_ago_is_dropped_first():
    built = BuiltStatements(2)
    calls = []
    for key in ("a", "b", "a", "c", "a", "b"):
        # "a" used again makes "b" the oldest; "c" is one too many, so "b" goes.
        built.get(key, recording(calls, key))
    assert calls == ["a", "b", "c", "b"]
