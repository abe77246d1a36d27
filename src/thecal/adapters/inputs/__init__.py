"""Input documents of the programmer commands (docs/formats.md) -> core values."""
