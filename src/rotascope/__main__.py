"""``python -m rotascope`` runs the command line."""

from rotascope.outputs.cli.main import main

if __name__ == "__main__":
    main()
