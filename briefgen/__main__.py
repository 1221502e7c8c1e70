"""``python -m briefgen`` runs the command line."""

import sys

code = None
try:
    from briefgen.cli import main

    code = main()
except KeyboardInterrupt:
    # Ctrl-C while Python imports briefgen, before main() handles it (or just after it is done).
    if code is None:
        sys.stderr.write("briefgen: interrupted\n")
        code = 130
sys.exit(code)
