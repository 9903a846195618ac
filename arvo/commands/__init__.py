"""One module per `arvo` subcommand; each defines `register(subparsers)` and sets `handler`."""
