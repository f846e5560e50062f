"""One module per ``briefdesk`` subcommand: ``HELP``, ``configure(parser)``, ``run(args)``."""
