"""The run stage: a generated project previewed (``dry-run``), applied (``apply``) and undone
(``rollback``) through ansible-runner, each run recorded under ``runs/<id>/``.

Split by concern:

* :mod:`~remediator.run.ansible` runs Ansible: one ansible-runner invocation, its job
  events as typed results, where Ansible must run to reach the hosts, no secrets kept;
* :mod:`~remediator.run.preview` reads a check-mode run per finding (``dry-run``);
* :mod:`~remediator.run.apply` orchestrates a change: batches in the window, locks, the
  controller's check after a batch, rollback;
* :mod:`~remediator.run.records` is the run directory and the documents in it;
* at the top, the generated project as the run reads it (``project``, ``varsfile``,
  ``provenance``), the CLI (``cli``, ``commands``), progress and the text reports.
"""
