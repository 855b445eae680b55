"""`python -m cli`, as `notes-chat`."""

from . import main

main()
