"""The one base of everything a command refuses with a message for the user (not a defect)."""

from __future__ import annotations


class SitegenError(Exception):
    """A refusal the user can act on: its text is one line for them, `exit_code` what the command
    returns (2: bad input or usage, 1: content with errors). The CLI catches it once, never shows a
    traceback for it."""

    exit_code = 2
