"""Pure domain rules: no Flask, no database. Unit-tested exhaustively."""
