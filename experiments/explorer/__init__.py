"""The scenario explorer: a Streamlit app for planners (``parltwin-app``, ``make app``).

``scenario.py`` composes, changes, runs (cached by fingerprint) and compares scenarios with the
engine, seeds and statistics of the ``parltwin`` command (``shared.py``: what every page session
shares, made once); ``export.py`` writes a scenario as YAML and as a command, and the settings a
downloaded CSV carries; ``plotted.py`` gives each figure a table of its numbers; ``page.py`` is the
page (its theme: ``.streamlit/config.toml`` beside it); ``serve.py`` starts it on 127.0.0.1.
"""
