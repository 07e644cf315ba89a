"""graftml's faces: the ``graft`` command (:mod:`graftml.app.cli`), the SDK entry points
``graftml.run`` (:mod:`graftml.app.sdk`) and ``graftml.run_ttc`` (:mod:`graftml.app.ttc`), and
the run viewer (:mod:`graftml.app.show`).

The faces are the only layer that may import every other one; nothing below imports them
(``graftml.run`` and ``run_ttc`` are re-exported lazily from ``graftml/__init__``).
"""
