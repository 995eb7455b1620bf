#!/bin/sh
# Install Debian's chromium for the browser tests (tests/test_browser*.py) when it is missing.
# Playwright drives this system browser; `playwright install` is never needed (nor run).
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

"$(dirname "$0")/apt_install.sh" chromium fonts-dejavu-core
/usr/bin/chromium --version || true
