"""The pure core of thecal: no I/O, no clock, no randomness; `now` and seeds are parameters."""
