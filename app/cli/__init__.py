"""The command line: ``python run.py`` serves; its subcommands manage a server from its shell.

Every subcommand talks to the database directly and never runs a job. Changes to jobs go through
the job store's conditional updates, which a running server follows within a few seconds
(``app/engine/outside.py``); without a running server the next start picks them up.
"""
