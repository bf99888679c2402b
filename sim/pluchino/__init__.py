"""The parliament of Pluchino et al. (2011), a second model kept apart: the reference for the
validation experiment ``experiment=pluchino2011``."""
