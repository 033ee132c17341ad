"""The fake's ``/im/*`` endpoints."""

from __future__ import annotations
