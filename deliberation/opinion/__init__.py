"""Opinion groups for the "surface conflict" round, reproducing Polis's math.

Pure: numpy and scikit-learn only, no I/O, no clock, randomness only from an explicit seed.
See docs/opinion-groups.md.
"""

from deliberation.opinion.confidence import Confidence
from deliberation.opinion.engine import EngineSettings, OpinionEngine
from deliberation.opinion.replay import TimedVote, compute_groups, replay
from deliberation.opinion.result import (
    ConsensusStatement,
    DivisiveStatement,
    GroupFigures,
    OpinionGroups,
    RepresentativeStatement,
    organisations_across_groups,
    to_json,
)

__all__ = [
    "Confidence",
    "ConsensusStatement",
    "DivisiveStatement",
    "EngineSettings",
    "GroupFigures",
    "OpinionEngine",
    "OpinionGroups",
    "RepresentativeStatement",
    "TimedVote",
    "compute_groups",
    "organisations_across_groups",
    "replay",
    "to_json",
]
