"""Mesa agents of the parliament: deputies, committees and citizen groups."""

from agents.citizen import CitizenGroup
from agents.committee import Committee
from agents.deputy import Deputy

__all__ = ["CitizenGroup", "Committee", "Deputy"]
