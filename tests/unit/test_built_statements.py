"""Statements kept for their key and used again, and the readings of their rows
(tracker.queries.sql.BuiltStatements, KeptReadings)."""

from sqlalchemy import literal, select

from tracker.queries.sql import BuiltStatements, KeptReadings


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


def test_the_same_rows_are_read_once_and_other_rows_again():
    kept = KeptReadings(2)
    reads = []

    def total(rows):
        def read():
            reads.append(rows)
            return {"total": sum(value for part in rows for (value,) in part)}

        return read

    first = kept.get("a", [[(1,), (2,)]], total([[(1,), (2,)]]))
    # Equal rows, even as other objects: the same reading, not read again.
    again = kept.get("a", [[(1,), (2,)]], total([[(9,)]]))
    assert again is first and first == {"total": 3} and len(reads) == 1
    changed = kept.get("a", [[(1,), (3,)]], total([[(1,), (3,)]]))
    assert changed == {"total": 4} and len(reads) == 2
    # Under another key the same rows are read on their own.
    assert kept.get("b", [[(1,), (3,)]], total([[(1,), (3,)]])) is not changed
    assert len(reads) == 3


def test_readings_are_kept_for_the_last_keys_used():
    kept = KeptReadings(2)
    reads = []
    for key in ("a", "b", "a", "c", "a", "b"):
        kept.get(key, [[(1,)]], lambda key=key: reads.append(key))
    assert reads == ["a", "b", "c", "b"]
    kept.clear()
    kept.get("a", [[(1,)]], lambda: reads.append("a"))
    assert reads[-1] == "a" and len(reads) == 5
