"""One mail round from the command line (cron, or by hand): `python -m intervision.mail`."""

from __future__ import annotations

import logging

from intervision.database import configured
from intervision.mail.rounds import mail_round


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    database = configured()
    database.migrate()
    done = mail_round(database)
    counts = {name: len(ids) for name, ids in vars(done).items()}
    print(", ".join(f"{name.replace('_', ' ')} {count}" for name, count in counts.items()))


if __name__ == "__main__":
    main()
