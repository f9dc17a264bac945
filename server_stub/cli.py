"""`atelier-server`: run the central inventory and administer it from the command line.

    atelier-server                                  # localhost, ./atelier-data, prints URL + admin password
    atelier-server --host H --port P --data-dir DIR [--database-url URL] [--workers N]
    atelier-server station create NAME [--public-key KEY]   # prints the station token
    atelier-server station code [--hours N]                  # prints a one-time enrollment code
    atelier-server user create --role R --username U [--password P] [--donor-id N]
    atelier-server backup [--out FILE]                       # consistent copy while running

Tokens, codes and passwords go alone on standard output (for scripts); explanations go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.i18n import _, set_language
from server_stub.config import Settings, data_dir_from_env

if TYPE_CHECKING:
    from server_stub.db import Database

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_ENVIRONMENT = 5


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    data_dir = getattr(args, "data_dir", None)
    overrides["data_dir"] = Path(data_dir) if data_dir else data_dir_from_env()
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    if getattr(args, "workers", None):
        overrides["workers"] = args.workers
    return Settings(**overrides)  # type: ignore[arg-type]


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _open_database(settings: Settings) -> Database:
    from server_stub.db import make_database
    from server_stub.migrate import upgrade

    db = make_database(settings)
    upgrade(settings, db.engine)
    return db


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server_stub.main import create_app, prepare_for_serving

    settings = _settings(args)
    app = create_app(settings)
    host = settings.host
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{settings.port}/"
    print(_("Atelier inventory: {url}").format(url=url), flush=True)
    print(_("Data directory: {path}").format(path=settings.data_dir.resolve()), flush=True)
    password = app.state.first_admin_password
    if password:
        print(
            _("First administrator: user 'admin', password: {password}").format(password=password), flush=True
        )
        print(_("Write it down now: it is shown only this once."), flush=True)
    options = {"host": host, "port": settings.port, "log_level": args.log_level}
    options["access_log"] = args.log_level == "debug"
    if settings.workers == 1:
        prepare_for_serving()
        uvicorn.run(app, **options)
        return EXIT_OK
    # Several processes (one Python process uses one core at most): each worker builds its own
    # app from the same settings, passed down as environment variables; this process migrated
    # the database and created the first admin above, and now only supervises.
    app.state.db.dispose()
    os.environ["ATELIER_SERVER_DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.database_url:
        os.environ["ATELIER_SERVER_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "server_stub.main:create_app_from_environment",
        factory=True,
        workers=settings.workers,
        **options,
    )
    return EXIT_OK


def cmd_station_create(args: argparse.Namespace) -> int:
    from server_stub import crud
    from server_stub.errors import ServiceError

    db = _open_database(_settings(args))
    try:
        with db.session(write=True) as session:
            station, token = crud.create_station(
                session, name=args.name, public_key=args.public_key, actor="cli"
            )
            station_id = station.id
    except ServiceError as err:
        _err(_("Cannot create the station: {error}").format(error=err.message))
        return EXIT_INPUT
    finally:
        db.dispose()
    _err(
        _("Station {name} (id {id}) created. Its token, shown only once:").format(
            name=args.name, id=station_id
        )
    )
    print(token, flush=True)
    return EXIT_OK


def cmd_station_code(args: argparse.Namespace) -> int:
    from server_stub import crud

    settings = _settings(args)
    db = _open_database(settings)
    try:
        with db.session(write=True) as session:
            row, code = crud.create_enrollment_code(
                session, hours=args.hours or settings.enrollment_code_hours, actor="cli"
            )
            expires = row.expires_at
    finally:
        db.dispose()
    _err(
        _("One-time code for 'atelier station register', valid until {when} UTC:").format(
            when=expires.strftime("%Y-%m-%d %H:%M")
        )
    )
    print(code, flush=True)
    return EXIT_OK


def cmd_user_create(args: argparse.Namespace) -> int:
    from server_stub import auth, crud
    from server_stub.errors import ServiceError

    settings = _settings(args)
    password = args.password or auth.generate_password()
    db = _open_database(settings)
    try:
        with db.session(write=True) as session:
            crud.create_user(
                session,
                username=args.username,
                password=password,
                role=args.role,
                donor_id=args.donor_id,
                log2_n=settings.scrypt_log2_n,
                actor="cli",
            )
    except ServiceError as err:
        _err(_("Cannot create the user: {error}").format(error=err.message))
        return EXIT_INPUT
    finally:
        db.dispose()
    if not args.password:
        _err(
            _("User {name} created with role {role}. Password, shown only once:").format(
                name=args.username, role=args.role
            )
        )
        print(password, flush=True)
    return EXIT_OK


def backup_sqlite(database: Path, out: Path) -> Path:
    """SQLite's online backup API: a consistent snapshot even while the server writes (WAL)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, out)
    return out


def backup_postgresql(url: str, out: Path) -> Path:
    """pg_dump in its custom format (restore with pg_restore); written beside then renamed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    libpq_url = url.replace("postgresql+psycopg://", "postgresql://", 1).replace(
        "postgresql+psycopg2://", "postgresql://", 1
    )
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={tmp}", f"--dbname={libpq_url}"], check=True, timeout=3600
    )
    os.replace(tmp, out)
    return out


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    url = settings.resolved_database_url
    try:
        if settings.is_sqlite:
            database = Path(url.removeprefix("sqlite:///"))
            if not database.exists():
                _err(_("No database at {path}: nothing to back up.").format(path=database))
                return EXIT_INPUT
            out = Path(args.out) if args.out else settings.data_dir / "backups" / f"atelier-{stamp}.db"
            backup_sqlite(database, out)
        else:
            out = Path(args.out) if args.out else settings.data_dir / "backups" / f"atelier-{stamp}.pgdump"
            backup_postgresql(url, out)
    except (OSError, sqlite3.Error, subprocess.SubprocessError) as err:
        _err(_("Backup failed: {error}").format(error=err))
        return EXIT_ENVIRONMENT
    _err(_("Backup written:"))
    print(out, flush=True)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help=_("data directory (default ./atelier-data or $ATELIER_SERVER_DATA_DIR)"),
    )
    common.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help=_("SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db"),
    )

    parser = argparse.ArgumentParser(
        prog="atelier-server", parents=[common], description=_("Atelier central inventory server.")
    )
    parser.add_argument("--host", help=_("address to listen on (default 127.0.0.1)"))
    parser.add_argument("--port", type=int, help=_("port (default 8765)"))
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--workers", type=int, help=_("server processes (default 1; 2 or more on a busy server)")
    )
    parser.set_defaults(handler=cmd_serve)
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", parents=[common], help=_("run the server (the default)"))
    serve.add_argument("--host", default=argparse.SUPPRESS)
    serve.add_argument("--port", type=int, default=argparse.SUPPRESS)
    serve.add_argument(
        "--log-level", default=argparse.SUPPRESS, choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.add_argument("--workers", type=int, default=argparse.SUPPRESS)
    serve.set_defaults(handler=cmd_serve)

    station = sub.add_parser("station", help=_("register stations"))
    station_sub = station.add_subparsers(dest="station_command", required=True)
    create = station_sub.add_parser("create", parents=[common], help=_("register a station, print its token"))
    create.add_argument("name")
    create.add_argument("--public-key", help=_("the station's Ed25519 public key (base64)"))
    create.set_defaults(handler=cmd_station_create)
    code = station_sub.add_parser("code", parents=[common], help=_("print a one-time enrollment code"))
    code.add_argument("--hours", type=int, help=_("validity in hours (default 24)"))
    code.set_defaults(handler=cmd_station_code)

    user = sub.add_parser("user", help=_("manage user accounts"))
    user_sub = user.add_subparsers(dest="user_command", required=True)
    ucreate = user_sub.add_parser("create", parents=[common], help=_("create a user account"))
    ucreate.add_argument("--username", required=True)
    ucreate.add_argument("--role", required=True, choices=["admin", "supervisor", "technician", "donor"])
    ucreate.add_argument("--password", help=_("default: generated and printed"))
    ucreate.add_argument("--donor-id", type=int, help=_("for role donor: the donor it belongs to"))
    ucreate.set_defaults(handler=cmd_user_create)

    backup = sub.add_parser(
        "backup", parents=[common], help=_("consistent copy of the database, while running")
    )
    backup.add_argument("--out", help=_("output file (default <data dir>/backups/atelier-<time>.db)"))
    backup.set_defaults(handler=cmd_backup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_language(None)
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("host", "port", "log_level", "workers"):
        if not hasattr(args, name):
            setattr(args, name, None)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except ValueError as err:  # settings refused (default secret, bad URL…)
        _err(str(err))
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
