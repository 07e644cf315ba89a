"""graftml's faces: the ``graft`` command (:mod:`graftml.app.cli`), the SDK entry point
``graftml.run`` (:mod:`graftml.app.sdk`), and the run viewer (:mod:`graftml.app.show`).

The faces are the only layer that may import every other one; nothing below imports them
(``graftml.run`` is re-exported lazily from ``graftml/__init__``).
"""
