"""Running Ansible: one ansible-runner invocation, its events as typed results, where it runs.

Nothing here knows about batches, windows or findings: :mod:`remediator.run.apply` and
:mod:`remediator.run.preview` build on it.
"""
