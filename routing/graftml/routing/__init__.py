"""graftml.routing."""
