#!/bin/sh
# Install Debian's PostgreSQL server for the storage tests (tests/test_store*.py) when it is missing.
# The tests never use a system service: they initdb a throwaway cluster in a temp dir (tests/pg.py),
# so the packaged cluster Debian may create is stopped and left alone. contrib = pg_trgm, unaccent.
set -eu

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    && ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1 \
    && ls /usr/share/postgresql/*/extension/unaccent.control >/dev/null 2>&1; then
    echo "postgresql already installed: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
    exit 0
fi

"$(dirname "$0")/apt_install.sh" postgresql postgresql-contrib
ls /usr/lib/postgresql/*/bin/initdb
