"""Exit statuses of every command, in one place (README's CLI reference documents them).

3 for "nothing to do" is the next free number after the conventional 0/1/2: a CI job pointed at the
wrong folder must fail, and fail with a status it can tell apart from findings (1) and from a broken
invocation or an unreadable path (2), as pytest's "no tests collected" is told apart from failures.
"""

OK = 0  # nothing at or above the fail-on level (check), migrated cleanly (migrate), nothing to reformat (format)
FINDINGS = 1  # findings at or above the fail-on level (check), findings remain (migrate), --diff has changes,
#              format --check/--diff: a file would be reformatted
USAGE = 2  # bad usage or configuration, a path the user named that cannot be read, a file that cannot be written,
#           a file `format` refuses (syntax errors)
EMPTY = 3  # nothing to do: no manifests under the paths (check), no agents to draw (graph)
INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
