"""A throwaway PostgreSQL server for the tests: Debian's postgresql 15, run as the postgres user in a temporary
folder, listening on 127.0.0.1 only, with a password-authenticated superuser and a new database per test."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from test_browser import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
USER, PASSWORD = "kit", "kit-secret"


def missing() -> str | None:
    """Why no server can be started here (a message for pytest.skip), or None."""
    if not all((BIN / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
        return f"no PostgreSQL 15 in {BIN} (`make test` installs Debian's postgresql package)"
    if os.geteuid() != 0:
        return "starting PostgreSQL as the postgres user needs root (`runuser`)"
    return None


class PostgresServer:
    """One server; :meth:`stop` ends it and removes its folder."""

    def __init__(self):
        # not under pytest's tmp_path: its folders are root's alone, and the server runs as postgres
        self.folder = Path(tempfile.mkdtemp(prefix="wordsnums-pg-"))
        self.port = free_port()
        self.started = False
        shutil.chown(self.folder, "postgres")
        (self.folder / "password").write_text(PASSWORD)
        shutil.chown(self.folder / "password", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, text=True,
                       cwd=self.folder)

    def start(self) -> "PostgresServer":
        data = self.folder / "data"
        # -N: no fsync while initialising; scram-sha-256 for every connection, on the socket as on 127.0.0.1
        self._run(str(BIN / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={self.folder / 'password'}",
                  "--auth=scram-sha-256", "-N", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c fsync=off "
                   f"-c unix_socket_directories={self.folder}")
        self._run(str(BIN / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"), "-w", "-o", options, "start")
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            self._run(str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname="postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
