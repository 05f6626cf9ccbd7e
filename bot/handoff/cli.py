"""`python -m bot.cli agents {add,list,passwd}`: managing the agents of the console."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.billing.backend import NotAllowed
from bot.handoff.agents import AGENT, CONSOLE_LANGUAGES, ROLES, AgentDirectory
from bot.settings import Settings


def register(commands: Any) -> None:
    """Adds the `agents` command to the CLI's subparsers."""
    parser = commands.add_parser("agents", help="add, list or change the password of console agents")
    parser.add_argument("--url", help="database URL (default: BILLING_DATABASE_URL)")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an agent")
    add.add_argument("username")
    add.add_argument("--display-name", required=True)
    add.add_argument("--role", choices=ROLES, default=AGENT)
    add.add_argument("--language", choices=CONSOLE_LANGUAGES, default="en", help="the console's language")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=add_agent)
    listing = actions.add_parser("list", help="list the agents")
    listing.set_defaults(handler=list_agents)
    passwd = actions.add_parser("passwd", help="set an agent's password (ends their sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd.set_defaults(handler=set_password)


def _directory(args: argparse.Namespace) -> AgentDirectory:
    from bot.billing.database import make_engine

    return AgentDirectory(make_engine(args.url or Settings.from_env().billing_database_url))


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise ValueError("the two passwords differ")
    return first


def add_agent(args: argparse.Namespace) -> int:
    try:
        agent = _directory(args).create_agent(
            args.username, args.display_name, _password(args), args.role, args.language
        )
    except (ValueError, NotAllowed) as error:
        print(f"not created: {error}", file=sys.stderr)
        return 1
    print(f"created {agent.username} ({agent.role}, {agent.language})")
    return 0


def list_agents(args: argparse.Namespace) -> int:
    for agent in _directory(args).list_agents():
        state = "active" if agent.active else "inactive"
        print(f"{agent.username:<24} {agent.role:<11} {agent.language}  {state:<8} {agent.display_name}")
    return 0


def set_password(args: argparse.Namespace) -> int:
    directory = _directory(args)
    agent = directory.find_agent(args.username)
    if agent is None:
        print(f"no agent named {args.username}", file=sys.stderr)
        return 1
    try:
        directory.set_password(agent.id, _password(args))
    except ValueError as error:
        print(f"unchanged: {error}", file=sys.stderr)
        return 1
    print(f"password of {agent.username} changed; their sessions ended")
    return 0
