"""The run stage: a generated project previewed (``dry-run``), applied (``apply``) and undone
(``rollback``) through ansible-runner, each run recorded under ``runs/<id>/``.

Entry points are the commands in :mod:`remediator.run.cli`; the order of an apply (window,
lock, reviewed dry-run, batches with snapshot, verification and automatic rollback) lives
in :mod:`remediator.run.commands` and :mod:`remediator.run.apply`.
"""
