"""Contract test suites and fakes shipped with graftml, reused by subclassing per implementation.

* :mod:`graftml.testing.searchers`: :class:`~graftml.testing.searchers.SearcherContract`.
* :mod:`graftml.testing.executors`: :class:`~graftml.testing.executors.ExecutorContract`.
* :mod:`graftml.testing.backends`: :class:`~graftml.testing.backends.BackendContract` and
  :class:`~graftml.testing.backends.RecordingBackend`.
* :mod:`graftml.testing.strategies`: :class:`~graftml.testing.strategies.StrategyContract` and
  :class:`~graftml.testing.strategies.SeededBackend` (a seeded fake model).
* :mod:`graftml.testing.decoding`: :func:`~graftml.testing.decoding.greedy_agreement` (two
  greedy decoding paths agree up to the first near-tie).
"""
