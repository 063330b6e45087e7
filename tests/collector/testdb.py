"""The collector's database for one test run, on either backend: an
SQLite file in the run's folder, or with BK_TEST_PG (tests/pg/cluster.sh's
file) a fresh PostgreSQL database on the throwaway cluster, reached through
psql. Shared by the collector's Python tests (bad_input.py, users.py)."""
import os
import sqlite3
import subprocess


class Database:
    """The collector's database for this run: an SQLite file in the run's
    folder, or with BK_TEST_PG (tests/pg/cluster.sh's file) a fresh
    PostgreSQL database on the throwaway cluster, reached through psql."""

    def __init__(self, d):
        self.dir = d
        pg = os.environ.get("BK_TEST_PG")
        self.host = open(pg).read().strip() if pg else None
        if self.host:
            self.dbname = "bk_pytest_%d" % os.getpid()
            self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
            self.psql("postgres", "CREATE DATABASE %s" % self.dbname)
            self.name = self.uri(self.dbname)
        else:
            self.name = "collector.db"

    def uri(self, dbname):
        return "postgresql:///%s?host=%s&user=postgres" % (dbname, self.host)

    def psql(self, dbname, sql):
        return subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d",
                               self.uri(dbname), "-c", sql], check=True,
                              stdout=subprocess.PIPE).stdout.decode().strip()

    def check(self):
        """"ok" when sound: SQLite's integrity_check; on PostgreSQL, every
        response's batch and kiosk stored."""
        if not self.host:
            db = sqlite3.connect(os.path.join(self.dir, "collector.db"))
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            return check
        orphans = self.psql(self.dbname, "SELECT count(*) FROM responses r WHERE NOT EXISTS"
                            " (SELECT 1 FROM batches b WHERE b.batch_id = r.batch_id)"
                            " OR NOT EXISTS (SELECT 1 FROM kiosks k WHERE k.id = r.kiosk_id)")
        return "ok" if orphans == "0" else "%s responses without their batch or kiosk" % orphans

    def value(self, sql):
        """Column 0 of the first row of sql, as text (same SQL on both)."""
        if not self.host:
            db = sqlite3.connect(os.path.join(self.dir, "collector.db"))
            row = db.execute(sql).fetchone()
            db.close()
            return None if row is None else str(row[0])
        return self.psql(self.dbname, sql)

    def holds_text(self, text):
        """True when text occurs anywhere the database keeps: every byte of
        the SQLite file and its WAL, or, on PostgreSQL, any column of any
        row of every table of the collector (cast to text)."""
        if not self.host:
            found = False
            for suffix in ("", "-wal"):
                path = os.path.join(self.dir, "collector.db" + suffix)
                if os.path.exists(path):
                    found |= text.encode() in open(path, "rb").read()
            return found
        tables = self.psql(self.dbname, "SELECT tablename FROM pg_tables"
                           " WHERE schemaname = 'public'").split()
        for t in tables:
            n = self.psql(self.dbname, "SELECT count(*) FROM %s x WHERE x::text LIKE '%%' || "
                          "$$%s$$ || '%%'" % (t, text))
            if n != "0":
                return True
        return False

    def drop(self):
        if self.host:
            self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.dbname)
