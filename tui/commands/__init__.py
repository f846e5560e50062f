"""One module per ``briefdesk`` subcommand: ``HELP``, ``configure(parser)``, ``run(args)``."""


class CommandError(Exception):
    """A command cannot go on: ``briefdesk`` prints ``briefdesk: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
