"""Use cases that change data. They flush and write the audit record; the caller commits."""
