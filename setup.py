"""The wheel carries sitegen's built-in layouts, static files and schemas.

They stay at the repository's top level (layouts/, static/, schema/: a site overrides them file by
file, and authors read them there); building a wheel copies them into the package as
sitegen/_builtin/, where sitegen.base.resources finds them once installed. Everything else is in
pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUILTIN = ("layouts", "static", "schema")


class BuildWithBuiltins(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "sitegen" / "_builtin"
        for name in BUILTIN:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(root / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithBuiltins})
