"""Statements kept for their key and used again (tracker.queries.sql.BuiltStatements)."""

from sqlalchemy import literal, select

from tracker.queries.sql import BuiltStatements


def test_a_key_asked_for_again_gets_the_statements_built_the_first_time():
    built = BuiltStatements(2)
    calls = []

    def build(n):
        def make():
            calls.append(n)
            return [select(literal(n))]

        return make

    first = built.get(("a",), build(1))
    again = built.get(("a",), build(99))
    assert calls == [1]
    assert again == first and again[0] is first[0]
    # A list of its own each time: a caller's changes to it are not kept.
    again.append(select(literal(2)))
    assert len(built.get(("a",), build(99))) == 1


def test_the_key_used_longest_ago_is_dropped_first():
    built = BuiltStatements(2)
    calls = []

    def build(key):
        def make():
            calls.append(key)
            return [select(literal(key))]

        return make

    built.get("a", build("a"))
    built.get("b", build("b"))
    built.get("a", build("a"))  # "a" used again: "b" is now the oldest
    built.get("c", build("c"))  # one too many: "b" goes
    built.get("a", build("a"))
    built.get("b", build("b"))
    assert calls == ["a", "b", "c", "b"]
