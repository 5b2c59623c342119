"""The role advisor: which kind of project manager a project needs, why, and what it costs.

Pure: the reference data (vocabulary, O*NET statements, salary table) arrive as a
:class:`RoleData` argument; :mod:`pmfit.io.roledata` loads the shipped files.

Modules: :mod:`.text` (stemming, phrase matching, BM25), :mod:`.data` (reference data
objects), :mod:`.profile` (plan -> work items and structure), :mod:`.signals` (features and
the eight signals), :mod:`.decision` (role needs, thresholds, confidence, counterfactuals),
:mod:`.cost` (salary rows, loaded cost, allocation), :mod:`.advisor` (the whole advice),
:mod:`.portfolio` (several projects, shared PMs) and :mod:`.brief` (free text, interview).
"""

from pmfit.engine.advise.advisor import Advice, Reason, advise, advise_profile
from pmfit.engine.advise.data import ROLE_LABELS, ROLES, RoleData
from pmfit.engine.advise.profile import Profile, profile_from_plan
from pmfit.engine.advise.signals import Features, signals_from_features

__all__ = ["ROLES", "ROLE_LABELS", "Advice", "Features", "Profile", "Reason", "RoleData", "advise",
           "advise_profile", "profile_from_plan", "signals_from_features"]
