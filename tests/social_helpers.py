"""Shared by the tests of the social-graph groups (contacts, im, group, label).

The helpers are tests/wire.py's, for every group; these names stay for the tests that use them.
"""

from __future__ import annotations

from tests.wire import EXAMPLE_GAPS, Call, call_and_capture
from tests.wire import documented_answer as official_answer

__all__ = ["EXAMPLE_GAPS", "Call", "call_and_capture", "official_answer"]
