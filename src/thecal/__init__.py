"""thecal."""
