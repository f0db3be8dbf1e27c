"""Domain errors raised by services. Their message is shown to the user as it is."""


class DomainError(Exception):
    """A business rule refused the operation; `message` is translated and user-facing."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class IllegalTransition(DomainError):
    pass


class DeadlinePassed(DomainError):
    pass


class NoSeatLeft(DomainError):
    pass


class GuardRefused(DomainError):
    """A decision failed its guards (admissions.applications.guards); `problems` lists
    each reason, user-facing. An officer may override them with a written reason."""

    def __init__(self, problems) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(str(problem) for problem in self.problems))
