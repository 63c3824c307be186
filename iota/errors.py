"""The base of the errors that services raise when a request breaks a rule."""


class RuleError(Exception):
    """A request the rules reject. `code` is stable for the API, `message` French.

    Each app subclasses it, and its subclasses set a class-level `code`. A caller
    may still pass a more precise one.
    """

    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
