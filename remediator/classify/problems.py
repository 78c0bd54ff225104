"""Problems in a user's file, each with its line and path, raised together as one error."""

from __future__ import annotations

from dataclasses import dataclass

from remediator.errors import PolicyError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a policy file, where it is and what is wrong."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class PolicyFileError(PolicyError):
    """Every problem found in one policy file, sorted by line (the first one leads)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line, p.path, p.message)))
        super().__init__("\n".join(str(p) for p in self.problems))
