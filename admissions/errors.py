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
