"""graftml.agents."""
