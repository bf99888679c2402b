"""Who decides: vectorised agent sets that own their behaviour.

A chamber's deputies, its committees, the head of state and the citizen groups each hold their state
as arrays (one row per member or group) and decide together: a vote of all deputies on all bills of a
sitting is one call, a day of all citizen groups is one step. What citizens voice through channels
(``agents.voice``) is what deputies hear, what their own bills may take up (``agents.initiative``)
and what the People's Council tables bills on (``agents.council``). ``agents.views`` shows any row as a
Mesa agent, for inspection and examples.
"""

from agents.numerics import portable

portable()  # before anything of this project loads numpy
