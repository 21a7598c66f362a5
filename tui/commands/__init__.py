"""One module per `adue` subcommand.

Each module exposes `register(subparsers)`, which adds its parser and sets
`handler=<function(args) -> exit code>`. Modules here must stay import-light:
anything heavy (msgraph, azure.identity, uvicorn, textual) is imported inside the
handler, so `adue --help` never pays for it.
"""
