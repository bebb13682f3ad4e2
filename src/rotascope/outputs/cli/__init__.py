"""The ``rotascope`` command line. Commands live one group/module each and load lazily."""
