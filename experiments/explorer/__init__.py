"""The scenario explorer: a Streamlit app for planners (``parltwin-app``, ``make app``).

``scenario.py`` composes, changes, runs (cached by fingerprint) and compares scenarios with the
engine, seeds and statistics of the ``parltwin`` command (``shared.py``: what every page session
shares, made once); ``export.py`` writes a scenario as YAML and as a command; ``page.py`` is the
page; ``serve.py`` starts it on 127.0.0.1.
"""
