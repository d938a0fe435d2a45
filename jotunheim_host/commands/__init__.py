"""Subcommands of the ``jotunheim`` CLI, one module per concern."""
