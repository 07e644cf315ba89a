"""The AutoML agent's loop: the run session that wires searcher, operators and executor, the
orchestrator that keeps the workers busy within the budget, the final pick and fit, the run
folder, and the report.

Import the modules themselves (``graftml.agents.loop.session``, ...); this package exports
nothing so that importing one part stays cheap.
"""
