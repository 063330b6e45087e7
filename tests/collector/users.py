#!/usr/bin/python3
"""The collector's accounts from the command line, on either backend
(tests/collector/testdb.py): `user add NAME --role ... [--areas ...]` with
the password on standard input, `user list`, `user remove NAME`; every
refusal with its message and exit status 2 (usage) or 1 (the work failed);
the password never kept in plain text (not in the database's files or
rows), only its argon2id hash; every change in the audit log.

Usage: users.py COLLECTOR_BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdb import Database  # noqa: E402

PASSWORD = "Geheim-Wachtwoord-7319"
failures = 0


def check(ok, what):
    global failures
    print("%s %s" % ("ok:  " if ok else "FAIL:", what))
    failures += not ok


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    d = tempfile.mkdtemp(prefix="bk-users-")
    db = Database(d)
    try:
        ini = os.path.join(d, "collector.ini")
        with open(ini, "w") as f:
            f.write("[storage]\ndatabase = %s\n" % db.name)

        def user(*args, password=None):
            p = subprocess.run([binary, "user"] + list(args) + ["--config", ini],
                               input=(password + "\n").encode() if password is not None else b"",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            return p.returncode, p.stdout.decode(), p.stderr.decode()

        rc, out, err = user("add", "anna", "--role", "wijkmakelaar", "--areas",
                            "dorst,oosterheide-oost", password=PASSWORD)
        check(rc == 0 and out == "user anna added (wijkmakelaar, areas dorst,oosterheide-oost)\n",
              "add a wijkmakelaar: %d %r %r" % (rc, out, err[-200:]))
        rc, out, _ = user("add", "bob", "--role", "admin", password=PASSWORD)
        check(rc == 0 and out == "user bob added (admin)\n", "add an admin")
        rc, out, _ = user("add", "cees", "--role", "viewer", password=PASSWORD + "x")
        check(rc == 0, "add a viewer")

        refusals = [
            (("add", "anna", "--role", "viewer"), PASSWORD, 1,
             "user add: there is already a user anna"),
            (("add", "dirk", "--role", "boss"), PASSWORD, 2,
             "--role must be admin, wijkmakelaar or viewer, not boss"),
            (("add", "dirk"), PASSWORD, 2, "--role must be admin, wijkmakelaar or viewer"),
            (("add", "dirk", "--role", "wijkmakelaar"), PASSWORD, 2,
             "user add dirk: a wijkmakelaar needs the areas they work in"),
            (("add", "dirk", "--role", "viewer", "--areas", "dorst"), PASSWORD, 2,
             "only a wijkmakelaar has areas"),
            (("add", "dirk jansen", "--role", "admin"), PASSWORD, 2,
             "a name has only letters, digits and . - _ @"),
            (("add", "dirk", "--role", "wijkmakelaar", "--areas", "Dorst"), PASSWORD, 2,
             "an area id has only a-z, 0-9, _ and -"),
            (("add", "dirk", "--role", "admin"), "kort", 2,
             "user add: the password needs at least 10 characters"),
            (("add", "dirk", "--role", "admin"), None, 2,
             "user add: no password on standard input"),
            (("remove", "nobody"), None, 1, "user remove: there is no user nobody"),
            (("list", "extra"), None, 2, "usage: buurtkiosk-collector user add"),
            (("remove", "anna", "--role", "admin"), None, 2,
             "--role and --areas belong to add"),
        ]
        for args, pw, want_rc, want_err in refusals:
            rc, out, err = user(*args, password=pw)
            check(rc == want_rc and want_err in err and "added" not in out,
                  "refused %s: exit %d, %r" % (" ".join(args), rc, err.strip()[-120:]))

        rc, out, _ = user("list")
        lines = out.splitlines()
        check(rc == 0 and len(lines) == 4 and lines[0].split() == ["name", "role", "areas",
                                                                  "created"],
              "list: a header and 3 accounts")
        check([ln.split()[:3] for ln in lines[1:]] ==
              [["anna", "wijkmakelaar", "dorst,oosterheide-oost"], ["bob", "admin", "(all)"],
               ["cees", "viewer", "(all)"]], "list: name order, roles, areas")

        rc, out, _ = user("remove", "bob")
        check(rc == 0 and out == "user bob removed\n", "remove")
        rc, out, _ = user("list")
        check(len(out.splitlines()) == 3, "bob is gone from the list")

        check(db.value("SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%'") == "2",
              "the passwords are kept as argon2id hashes")
        check(db.holds_text("oosterheide-oost"), "the search finds what is stored (control)")
        check(not db.holds_text(PASSWORD), "the password is nowhere in the database in plain text")
        check(db.value("SELECT count(*) FROM audit_log") == "4",
              "the audit log holds the 3 additions and the removal, not the refusals")
        check(db.value("SELECT count(*) FROM audit_log WHERE action = 'user remove'"
                       " AND subject = 'bob' AND actor LIKE 'cli:%'") == "1",
              "the removal in the audit log, with who did it")
    finally:
        db.drop()
        shutil.rmtree(d, ignore_errors=True)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
