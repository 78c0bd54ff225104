"""Runs that ran elsewhere: an ansible-runner or AWX job of a project, made a run record."""
