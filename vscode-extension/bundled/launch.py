"""Run the ossa-lsp server bundled with the VS Code extension: `python -I launch.py [ARGS]`.

libs/ holds ossa-lsp and its pure-Python dependencies, libs/cpXY/ the compiled ones (pydantic-core,
rpds-py, PyYAML, websockets) for CPython X.Y on this .vsix's platform; tools/bundle_server.py makes
them. `-I` keeps the user's PYTHONPATH, user site-packages and the working directory out of the path;
the bundle goes first, so an ossa-lsp or pydantic installed in the same Python cannot shadow it.
An interpreter without its libs/cpXY/ exits with status 3 and one line starting "ossa-lsp bundle:"
(the extension turns it into a message).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(HERE, "libs")
UNSUPPORTED = 3


def supported() -> str:
    try:
        with open(os.path.join(LIBS, "BUNDLE.json"), encoding="utf-8") as f:
            bundle = json.load(f)
        return "CPython %s on %s" % (", ".join(bundle["pythons"]), bundle["target"])
    except (OSError, ValueError, KeyError, TypeError):
        return "no Python: the bundle is missing (a universal .vsix)"


def main() -> int:
    tag = "cp%d%d" % sys.version_info[:2]
    compiled = os.path.join(LIBS, tag)
    if sys.implementation.name != "cpython" or not os.path.isdir(compiled):
        sys.stderr.write("ossa-lsp bundle: %s is %s %d.%d; the server bundled with this extension runs on %s\n" % (
            sys.executable, sys.implementation.name, sys.version_info[0], sys.version_info[1], supported()))
        return UNSUPPORTED
    sys.path[:0] = [compiled, LIBS]
    from ossa_lsp.cli import main as serve

    return serve()


if __name__ == "__main__":
    sys.exit(main())
