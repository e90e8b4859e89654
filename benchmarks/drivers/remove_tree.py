"""Remove a folder (untimed, before a timed run that must write a new table): ``remove_tree.py FOLDER``."""

import shutil
import sys

shutil.rmtree(sys.argv[1], ignore_errors=True)
