"""graftml.executors."""
