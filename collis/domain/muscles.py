"""The neck-muscle catalogue: innervation, whether SD can reach each muscle, and its target.

From the clinical reference §6: SCM is denervated through the spinal accessory nerve
branches; the posterior group (splenius, semispinalis, obliquus capitis inferior,
longissimus) through extradural C1-C2 and posterior rami C3-C6 [31][34]; levator
scapulae is outside the classic operation and needs an extra denervation or section of
its insertion [35]; trapezius is not denervated [31]; the deep anterior muscles are not
addressable. Where the reference gives no innervation, ``innervation`` is None rather
than an unsourced anatomical statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Muscle(StrEnum):
    STERNOCLEIDOMASTOID = "sternocleidomastoid"
    SPLENIUS_CAPITIS = "splenius_capitis"
    SPLENIUS_CERVICIS = "splenius_cervicis"
    SEMISPINALIS_CAPITIS = "semispinalis_capitis"
    SEMISPINALIS_CERVICIS = "semispinalis_cervicis"
    LONGISSIMUS_CAPITIS = "longissimus_capitis"
    LONGISSIMUS_CERVICIS = "longissimus_cervicis"
    OBLIQUUS_CAPITIS_INFERIOR = "obliquus_capitis_inferior"
    RECTUS_CAPITIS_POSTERIOR_MAJOR = "rectus_capitis_posterior_major"
    LEVATOR_SCAPULAE = "levator_scapulae"
    TRAPEZIUS = "trapezius"
    SCALENES = "scalenes"
    LONGUS_COLLI = "longus_colli"
    LONGUS_CAPITIS = "longus_capitis"
    SUPRAHYOID = "suprahyoid"


class MuscleSide(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Reach(StrEnum):
    """Whether selective peripheral denervation can reach a muscle."""

    CLASSIC = "classic"  # denervated by the classic operation
    EXTRA_PROCEDURE = "extra_procedure"  # outside the classic operation, added separately [35]
    NOT_ADDRESSABLE = "not_addressable"  # SD does not reach it

    @property
    def reachable(self) -> bool:
        return self is not Reach.NOT_ADDRESSABLE


class MuscleGroup(StrEnum):
    """Groups counted for "numerous muscle groups" [37] (grouping is local data)."""

    STERNOCLEIDOMASTOID = "sternocleidomastoid"
    POSTERIOR_CERVICAL = "posterior_cervical"
    LEVATOR_SCAPULAE = "levator_scapulae"
    TRAPEZIUS = "trapezius"
    SCALENES = "scalenes"
    PREVERTEBRAL = "prevertebral"
    SUPRAHYOID = "suprahyoid"


SCM_TARGET = "spinal accessory nerve branches"
POSTERIOR_TARGET = "posterior rami C1-C6 (posterior ramisectomy)"
LEVATOR_TARGET = (
    "extra denervation (anterior rami C3/C4, dorsal scapular) or section of its insertion, outside "
    "the classic operation"
)


@dataclass(frozen=True, slots=True)
class MuscleInfo:
    muscle: Muscle
    group: MuscleGroup
    innervation: str | None
    reach: Reach
    target: str | None
    sources: tuple[int, ...]
    note: str
    needs_sign_off: bool = False

    @property
    def name(self) -> str:
        return str(self.muscle).replace("_", " ")


_POSTERIOR_INNERVATION = "cervical posterior rami (extradural C1-C2 and posterior rami C3-C6 in SD)"
_POSTERIOR_NOTE = (
    "Posterior group, denervated by posterior ramisectomy [31][34]; ipsilateral in the classic "
    "rotation operation [27]."
)
_DEEP_NOTE = (
    "Deep anterior muscles (longus colli/capitis, scalenes) are not addressable by SD. The "
    "reference states this without its own source number; it is cited to the sources that define "
    "SD's targets [31][34]."
)


def _posterior(muscle: Muscle) -> MuscleInfo:
    return MuscleInfo(
        muscle,
        MuscleGroup.POSTERIOR_CERVICAL,
        _POSTERIOR_INNERVATION,
        Reach.CLASSIC,
        POSTERIOR_TARGET,
        (31, 34),
        _POSTERIOR_NOTE,
    )


MUSCLES: dict[Muscle, MuscleInfo] = {
    info.muscle: info
    for info in (
        MuscleInfo(
            Muscle.STERNOCLEIDOMASTOID,
            MuscleGroup.STERNOCLEIDOMASTOID,
            "spinal accessory nerve branches",
            Reach.CLASSIC,
            SCM_TARGET,
            (31, 34),
            "Denervated through a posterior-triangle incision, with or without myotomy; "
            "contralateral SCM denervation in the classic rotation operation [27].",
        ),
        _posterior(Muscle.SPLENIUS_CAPITIS),
        _posterior(Muscle.SPLENIUS_CERVICIS),
        _posterior(Muscle.SEMISPINALIS_CAPITIS),
        _posterior(Muscle.SEMISPINALIS_CERVICIS),
        _posterior(Muscle.LONGISSIMUS_CAPITIS),
        _posterior(Muscle.LONGISSIMUS_CERVICIS),
        _posterior(Muscle.OBLIQUUS_CAPITIS_INFERIOR),
        MuscleInfo(
            Muscle.RECTUS_CAPITIS_POSTERIOR_MAJOR,
            MuscleGroup.POSTERIOR_CERVICAL,
            _POSTERIOR_INNERVATION,
            Reach.CLASSIC,
            POSTERIOR_TARGET,
            (27, 31, 34),
            "The reference does not list it in the posterior group [31][34]; it is placed there "
            "because the pattern table gives it as an ipsilateral torticaput muscle and the "
            "classic rotation operation is an ipsilateral posterior ramisectomy [27]. Needs "
            "clinician sign-off.",
            needs_sign_off=True,
        ),
        MuscleInfo(
            Muscle.LEVATOR_SCAPULAE,
            MuscleGroup.LEVATOR_SCAPULAE,
            "anterior rami C3/C4, dorsal scapular nerve",
            Reach.EXTRA_PROCEDURE,
            LEVATOR_TARGET,
            (35,),
            "Outside the classic operation: added by extra denervation or section of its insertion "
            "[35].",
        ),
        MuscleInfo(
            Muscle.TRAPEZIUS,
            MuscleGroup.TRAPEZIUS,
            None,
            Reach.NOT_ADDRESSABLE,
            None,
            (31,),
            "Not denervated in SD series; its paresis is a complication [31].",
        ),
        MuscleInfo(
            Muscle.SCALENES,
            MuscleGroup.SCALENES,
            None,
            Reach.NOT_ADDRESSABLE,
            None,
            (31, 34),
            _DEEP_NOTE,
        ),
        MuscleInfo(
            Muscle.LONGUS_COLLI,
            MuscleGroup.PREVERTEBRAL,
            None,
            Reach.NOT_ADDRESSABLE,
            None,
            (31, 34),
            _DEEP_NOTE,
        ),
        MuscleInfo(
            Muscle.LONGUS_CAPITIS,
            MuscleGroup.PREVERTEBRAL,
            None,
            Reach.NOT_ADDRESSABLE,
            None,
            (31, 34),
            _DEEP_NOTE,
        ),
        MuscleInfo(
            Muscle.SUPRAHYOID,
            MuscleGroup.SUPRAHYOID,
            None,
            Reach.NOT_ADDRESSABLE,
            None,
            (31, 34, 35),
            "Not among SD's targets in the reference [31][34][35], which does not mention it "
            "explicitly. Needs clinician sign-off.",
            needs_sign_off=True,
        ),
    )
}


def muscle_info(muscle: Muscle | str) -> MuscleInfo:
    """Catalogue entry for a muscle (raises ValueError for a name outside the vocabulary)."""
    return MUSCLES[Muscle(muscle)]
