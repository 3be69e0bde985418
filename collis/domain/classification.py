"""Dystonia classification, Axis I (clinical) and Axis II (aetiology): Albanese 2013 [1].

Age-at-onset bands and body distributions follow the consensus definitions [1]. The
consensus does not say which body regions are contiguous; the adjacency used here
(``CONTIGUOUS_REGIONS``) is local data that needs clinician sign-off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

SOURCES = (1,)


# Axis I: clinical characteristics [1]
class AgeAtOnset(StrEnum):
    INFANCY = "infancy"  # 0-2 years
    CHILDHOOD = "childhood"  # 3-12
    ADOLESCENCE = "adolescence"  # 13-20
    EARLY_ADULTHOOD = "early_adulthood"  # 21-40
    LATE_ADULTHOOD = "late_adulthood"  # > 40


class Distribution(StrEnum):
    FOCAL = "focal"  # one region
    SEGMENTAL = "segmental"  # two or more contiguous regions
    MULTIFOCAL = "multifocal"  # two or more non-contiguous regions
    HEMIDYSTONIA = "hemidystonia"  # one side of the body
    GENERALISED = "generalised"  # trunk plus at least two other sites


class Region(StrEnum):
    NECK = "neck"
    CRANIAL = "cranial"
    LARYNX = "larynx"
    UPPER_LIMB = "upper_limb"
    LOWER_LIMB = "lower_limb"
    TRUNK = "trunk"


class Course(StrEnum):
    STATIC = "static"
    PROGRESSIVE = "progressive"


class Variability(StrEnum):
    PERSISTENT = "persistent"
    ACTION_SPECIFIC = "action_specific"
    DIURNAL = "diurnal"
    PAROXYSMAL = "paroxysmal"


class AssociatedFeatures(StrEnum):
    ISOLATED = "isolated"  # tremor allowed
    COMBINED = "combined"  # with another movement disorder


# Axis II: aetiology [1]
class Aetiology(StrEnum):
    IDIOPATHIC = "idiopathic"
    INHERITED = "inherited"
    ACQUIRED = "acquired"


class NervousSystemPathology(StrEnum):
    DEGENERATIVE = "degenerative"
    STRUCTURAL = "structural"
    NONE = "none"


class Inheritance(StrEnum):
    AUTOSOMAL_DOMINANT = "autosomal_dominant"
    AUTOSOMAL_RECESSIVE = "autosomal_recessive"
    X_LINKED_RECESSIVE = "x_linked_recessive"
    MITOCHONDRIAL = "mitochondrial"


class AcquiredCause(StrEnum):
    PERINATAL = "perinatal"
    INFECTION = "infection"
    DRUG_TOXIC = "drug_toxic"
    VASCULAR = "vascular"
    NEOPLASTIC = "neoplastic"
    BRAIN_INJURY = "brain_injury"
    PSYCHOGENIC = "psychogenic"


class IdiopathicForm(StrEnum):
    SPORADIC = "sporadic"
    FAMILIAL = "familial"


# Lowest age (completed years) of each band [1]; a band runs up to the next one's start.
AGE_AT_ONSET_BANDS: tuple[tuple[int, AgeAtOnset], ...] = (
    (41, AgeAtOnset.LATE_ADULTHOOD),
    (21, AgeAtOnset.EARLY_ADULTHOOD),
    (13, AgeAtOnset.ADOLESCENCE),
    (3, AgeAtOnset.CHILDHOOD),
    (0, AgeAtOnset.INFANCY),
)


def age_at_onset_band(onset_age: float) -> AgeAtOnset:
    """Albanese age-at-onset band [1] for an onset age in completed years."""
    if isinstance(onset_age, bool) or not isinstance(onset_age, int | float) or onset_age < 0:
        raise ValueError(f"onset age must be a number of years, 0 or more; got {onset_age!r}")
    for lowest, band in AGE_AT_ONSET_BANDS:
        if onset_age >= lowest:
            return band
    raise AssertionError("unreachable: the bands start at 0")


# Which regions touch (local data, needs clinician sign-off: [1] does not define contiguity).
CONTIGUOUS_REGIONS: frozenset[frozenset[Region]] = frozenset(
    frozenset(pair)
    for pair in (
        (Region.CRANIAL, Region.NECK),
        (Region.CRANIAL, Region.LARYNX),
        (Region.LARYNX, Region.NECK),
        (Region.NECK, Region.UPPER_LIMB),
        (Region.NECK, Region.TRUNK),
        (Region.UPPER_LIMB, Region.TRUNK),
        (Region.TRUNK, Region.LOWER_LIMB),
    )
)
CONTIGUITY_NOTE = (
    "The consensus [1] does not define which regions are contiguous; Collis treats cranial, larynx "
    "and neck as touching one another, the neck as touching the upper limbs and trunk, and the "
    "trunk as touching the upper and lower limbs (local data, needs clinician sign-off)."
)


def regions_contiguous(a: Region, b: Region) -> bool:
    return frozenset((a, b)) in CONTIGUOUS_REGIONS


def _connected(regions: tuple[Region, ...]) -> bool:
    seen = {regions[0]}
    frontier = [regions[0]]
    while frontier:
        here = frontier.pop()
        for other in regions:
            if other not in seen and regions_contiguous(here, other):
                seen.add(other)
                frontier.append(other)
    return len(seen) == len(regions)


@dataclass(frozen=True, slots=True)
class DistributionDerivation:
    """A body distribution derived from regions, with the reason and sources."""

    distribution: Distribution | None
    reason: str
    sources: tuple[int, ...] = SOURCES


def _names(regions: Iterable[Region]) -> str:
    return ", ".join(str(r).replace("_", " ") for r in regions)


def derive_distribution(
    regions: Iterable[Region | str], *, one_side_of_body: bool = False
) -> DistributionDerivation:
    """Body distribution from the regions involved, by the consensus definitions [1].

    Regions carry no side, so hemidystonia is only given when the caller says the regions
    are all on one side of the body (``one_side_of_body``).
    """
    unique = tuple(dict.fromkeys(Region(r) for r in regions))
    if not unique:
        return DistributionDerivation(None, "No regions recorded.")
    named = _names(unique)
    others = [r for r in unique if r is not Region.TRUNK]
    if Region.TRUNK in unique and len(others) >= 2:
        return DistributionDerivation(
            Distribution.GENERALISED,
            f"Regions {named}: trunk plus at least two other sites is generalised [1].",
        )
    if len(unique) == 1:
        return DistributionDerivation(
            Distribution.FOCAL, f"Region {named}: one region is focal [1]."
        )
    if one_side_of_body:
        return DistributionDerivation(
            Distribution.HEMIDYSTONIA, f"Regions {named} on one side of the body: hemidystonia [1]."
        )
    if _connected(unique):
        return DistributionDerivation(
            Distribution.SEGMENTAL,
            f"Regions {named}: two or more contiguous regions are segmental [1].",
        )
    return DistributionDerivation(
        Distribution.MULTIFOCAL,
        f"Regions {named}: two or more non-contiguous regions are multifocal [1].",
    )


def distribution_compatible(stated: Distribution, derived: Distribution) -> bool:
    """Whether a recorded distribution agrees with the one derived from its regions.

    Regions carry no side, so recorded hemidystonia agrees with any derivation from two or
    more regions other than generalised.
    """
    if stated is derived:
        return True
    return stated is Distribution.HEMIDYSTONIA and derived in (
        Distribution.SEGMENTAL,
        Distribution.MULTIFOCAL,
    )
