import agents  # noqa: F401  # first: numpy is set to give the same numbers on every machine
