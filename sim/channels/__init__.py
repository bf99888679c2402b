"""Feedback channels between citizens and deputies: one module per mechanism."""
