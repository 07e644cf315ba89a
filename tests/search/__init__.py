"""Tests of graftml.search (a package so that module names do not clash with other folders)."""
