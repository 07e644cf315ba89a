"""graftml.search."""
