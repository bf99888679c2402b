"""The legislative engine: a parliament as data, its agents on a SimPy timeline, its ledger."""
