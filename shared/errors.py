"""The one exception type the tasks turn into a plain message instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix: a wrong name, an invalid config value, a busy port.

    `tasks.py` prints the message alone and exits with `exit_code`; nothing was changed.
    Exit code 2 follows the command-line convention for a usage error.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
