"""A throwaway MariaDB server for the test cluster's slurmdbd (Debian's ``mariadb-server``, from ``bash .ci/setup``).

Its own data directory, socket, pid file and log in a temporary directory; TCP on 127.0.0.1 and a free port
only (no system service, no /etc/mysql: ``--no-defaults``). One database and one user for slurmdbd, created
through the socket as the server's root (unix-socket authentication of the user running the tests).
"""

import getpass
import secrets
import subprocess
import time
from pathlib import Path

PROGRAMS = ("mariadb-install-db", "mariadbd", "mariadb")


class MariaDB:
    def __init__(self, base: Path, port: int, find):
        self.base = Path(base)
        self.port = port
        self.find = find
        self.datadir = self.base / "data"
        self.socket = self.base / "mysqld.sock"
        self.pid_file = self.base / "mysqld.pid"
        self.log = self.base / "mysqld.log"
        self.user = "slurm"
        self.password = secrets.token_hex(12)
        self.database = "slurm_acct_db"
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "MariaDB":
        self.base.mkdir(parents=True, exist_ok=True)
        me = getpass.getuser()
        install = subprocess.run(
            [self.find("mariadb-install-db"), "--no-defaults", f"--datadir={self.datadir}", f"--user={me}",
             "--auth-root-authentication-method=socket", f"--auth-root-socket-user={me}", "--skip-test-db",
             "--skip-name-resolve"],
            capture_output=True, text=True)
        if install.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed ({install.returncode}): {install.stderr.strip()[-400:]}")
        self._process = subprocess.Popen(
            [self.find("mariadbd"), "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.pid_file}",
             f"--log-error={self.log}", f"--user={me}", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
             "--innodb-log-file-size=16M", "--skip-log-bin"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"mariadbd exited ({self._process.returncode}); log {self.log}")
            if self.socket.exists() and self.sql("SELECT 1", check=False).returncode == 0:
                break
            time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError(f"mariadbd did not answer within {timeout} s; log {self.log}")
        self.sql(f"CREATE DATABASE {self.database}; "
                 f"CREATE USER '{self.user}'@'127.0.0.1' IDENTIFIED BY '{self.password}'; "
                 f"GRANT ALL ON {self.database}.* TO '{self.user}'@'127.0.0.1';")
        return self

    def sql(self, statements: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([self.find("mariadb"), "--no-defaults", f"--socket={self.socket}", "-u", "root",
                                 "-e", statements], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"mariadb: {statements[:60]}…: {result.stderr.strip()}")
        return result

    def version(self) -> str:
        return self.sql("SELECT VERSION()").stdout.split()[-1]

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

