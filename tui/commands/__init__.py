"""One module per ``briefdesk`` subcommand: ``HELP``, ``configure(parser)``, ``run(args)``."""


class CommandError(Exception):
    """A command cannot go on: ``briefdesk`` prints ``briefdesk: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def open_queue(path=None):
    """The queue database (default: the user's); CommandError if the file is damaged or unwritable."""
    from stories.queue import QueueError, QueueStore
    from tui import locations

    try:
        return QueueStore(path or locations.queue_db())
    except QueueError as exc:
        raise CommandError(str(exc)) from None
