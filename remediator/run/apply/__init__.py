"""Apply orchestration: batches inside the window, host locks, the check after a batch, rollback."""
