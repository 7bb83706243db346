"""When a SQLite transaction takes the write lock at BEGIN (tracker/sqlite.py)."""

from tracker.sqlite import reading, wants_write_lock, writing


def test_requests_that_change_state_lock_first_reading_ones_do_not(app):
    with app.test_request_context("/", method="GET"):
        assert not wants_write_lock()
        with writing():
            assert wants_write_lock()  # a GET that must write (a refusal's audit entry)
    with app.test_request_context("/auth/login", method="POST"):
        assert wants_write_lock()
        with reading():
            assert not wants_write_lock()  # hashing a password holds no lock
            with writing():
                assert wants_write_lock()
        assert wants_write_lock()


def test_outside_requests_only_writing_locks_first(app):
    assert not wants_write_lock()
    with writing():
        assert wants_write_lock()
        with reading():
            assert not wants_write_lock()
