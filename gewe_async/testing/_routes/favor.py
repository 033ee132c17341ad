"""The fake's ``/favor/*`` endpoints."""

from __future__ import annotations
