"""The one exception type of the domain layer, carrying a French message for the user."""


class DomainError(ValueError):
    """A value breaks a domain rule; ``str(error)`` is a French sentence fit for the user."""
