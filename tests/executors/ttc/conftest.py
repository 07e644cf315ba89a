"""Shared model entries for logic tests with ScriptedBackend (no weights needed)."""

from __future__ import annotations

from graftml.testing.backends import toy_spec

__all__ = ["toy_spec"]
