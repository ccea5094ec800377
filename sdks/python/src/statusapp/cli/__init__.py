"""The `statusapp` command: StatusApp's objects from a shell, and an organization's
monitors, status pages, alert channels and maintenance windows as a file (export / apply).

    statusapp monitors list
    statusapp export > statusapp.yaml
    statusapp apply -f statusapp.yaml --dry-run

CLI.md is its manual. `main(argv)` returns the exit code instead of exiting, so that it can
be called from Python (and tests).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

import statusapp

from . import resources
from .apply import ApplyFailed, apply
from .document import InvalidFile
from .errors import AUTH, FAILED, OK, USAGE, CLIError, describe, exit_code
from .export import export
from .fileformat import LABELS

__all__ = ["main"]

DEFAULT_RETRIES = 3


def _version() -> str:
    return getattr(statusapp, "__version__", "unknown")


def build_parser() -> argparse.ArgumentParser:
    # Accepted before the command and after it: `statusapp --api-key K monitors list` or
    # `statusapp monitors list --api-key K`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-key", default=argparse.SUPPRESS, help="API key (else $STATUSAPP_API_KEY)")
    common.add_argument("--base-url", default=argparse.SUPPRESS, help="the StatusApp server (else $STATUSAPP_BASE_URL)")
    common.add_argument(
        "--max-retries",
        type=int,
        default=argparse.SUPPRESS,
        help="retries of a 429 or 503 answer (after its Retry-After) and of a failed read; 0: fail at once (default 3)",
    )
    parser = argparse.ArgumentParser(
        prog="statusapp",
        parents=[common],
        description="StatusApp from the command line. Exit codes: 0 ok, 1 API error, 2 usage or invalid file, "
        "3 authentication or permission, 4 not found, 5 rate limited or unavailable, 6 connection failed.",
    )
    parser.add_argument("--version", action="version", version=f"statusapp {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    resources.add_parsers(commands, common)

    exporting = commands.add_parser(
        "export", parents=[common], help="write the organization's configuration as YAML (stdout by default)"
    )
    exporting.add_argument("-o", "--output", help="write to this file instead")
    exporting.set_defaults(run=run_export)

    applying = commands.add_parser("apply", parents=[common], help="make the organization match a YAML file")
    applying.add_argument("-f", "--file", required=True, help="the file (- for stdin)")
    applying.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    applying.add_argument("--prune", action="store_true", help="also delete what the file does not name")
    applying.set_defaults(run=run_apply)
    return parser


def make_client(args: argparse.Namespace) -> statusapp.Client:
    api_key = getattr(args, "api_key", None) or os.environ.get("STATUSAPP_API_KEY")
    if not api_key:
        raise CLIError("no API key: pass --api-key or set STATUSAPP_API_KEY", AUTH)
    retries = getattr(args, "max_retries", DEFAULT_RETRIES)
    if retries < 0:
        raise CLIError("--max-retries must be 0 or more", USAGE)
    return statusapp.Client(api_key=api_key, base_url=getattr(args, "base_url", None), max_retries=retries)


def run_export(client, args, out, err) -> None:
    if args.output is None:
        export(client, out, err, _version())
        return
    with open(args.output, "w", encoding="utf-8") as handle:
        export(client, handle, err, _version())
    err.write(f"Wrote {args.output}.\n")


def run_apply(client, args, out, err) -> None:
    apply(client, args.file, dry_run=args.dry_run, prune=args.prune, out=out, err=err)


def main(argv: Sequence[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return exc.code if isinstance(exc.code, int) else USAGE
    try:
        args.run(make_client(args), args, out, err)
    except InvalidFile as exc:
        err.write(exc.report() + "\n")
        return USAGE
    except ApplyFailed as exc:
        for problem in exc.problems:
            err.write(f"{exc.filename}:{problem.line}: {problem.where}: {problem.message}\n")
        action = exc.action
        error = exc.error
        err.write(
            f'statusapp: error: could not {action.verb} {LABELS[action.kind]} "{action.name}": '
            f"{error.message} ({error.status} {error.code})\n"
            f"{exc.done} change{'s' if exc.done != 1 else ''} made before it stay made; "
            "fix the file and apply it again.\n"
        )
        return exit_code(exc.error)
    except (statusapp.StatusAppError, CLIError) as exc:
        err.write(f"statusapp: error: {describe(exc)}\n")
        return exit_code(exc)
    except BrokenPipeError:  # `statusapp monitors list | head`: the reader has seen enough
        _silence_stdout()
        return FAILED
    except OSError as exc:
        err.write(f"statusapp: error: {exc}\n")
        return FAILED
    except KeyboardInterrupt:
        err.write("statusapp: interrupted\n")
        return 130
    return OK


def _silence_stdout() -> None:
    """Python would complain again when it flushes stdout at exit (see the signal module's docs)."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (a test's capture): nothing to flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
