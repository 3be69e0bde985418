"""Muscle catalogue: reach by SD and nerve targets (§6 [27][31][34][35])."""

from __future__ import annotations

import pytest

from collis.domain.muscles import MUSCLES, Muscle, Reach, muscle_info

POSTERIOR = [
    Muscle.SPLENIUS_CAPITIS,
    Muscle.SPLENIUS_CERVICIS,
    Muscle.SEMISPINALIS_CAPITIS,
    Muscle.SEMISPINALIS_CERVICIS,
    Muscle.LONGISSIMUS_CAPITIS,
    Muscle.LONGISSIMUS_CERVICIS,
    Muscle.OBLIQUUS_CAPITIS_INFERIOR,
    Muscle.RECTUS_CAPITIS_POSTERIOR_MAJOR,
]


def test_catalogue_has_the_contracts_fifteen_muscles():
    assert set(MUSCLES) == set(Muscle)
    assert len(Muscle) == 15


def test_scm_target_is_the_spinal_accessory_nerve_branches():
    info = muscle_info("sternocleidomastoid")
    assert info.reach is Reach.CLASSIC
    assert info.target == "spinal accessory nerve branches"
    assert info.sources == (31, 34)


@pytest.mark.parametrize("muscle", POSTERIOR)
def test_posterior_group_is_reached_by_posterior_ramisectomy(muscle):
    info = MUSCLES[muscle]
    assert info.reach is Reach.CLASSIC
    assert info.target == "posterior rami C1-C6 (posterior ramisectomy)"


def test_rectus_capitis_posterior_major_placement_needs_sign_off():
    assert MUSCLES[Muscle.RECTUS_CAPITIS_POSTERIOR_MAJOR].needs_sign_off


def test_levator_scapulae_is_outside_the_classic_operation():
    info = MUSCLES[Muscle.LEVATOR_SCAPULAE]
    assert info.reach is Reach.EXTRA_PROCEDURE
    assert info.reach.reachable
    assert "outside the classic operation" in info.target
    assert info.sources == (35,)


def test_trapezius_is_not_denervated():
    info = MUSCLES[Muscle.TRAPEZIUS]
    assert info.reach is Reach.NOT_ADDRESSABLE
    assert info.target is None
    assert info.sources == (31,)


@pytest.mark.parametrize(
    "muscle", [Muscle.SCALENES, Muscle.LONGUS_COLLI, Muscle.LONGUS_CAPITIS, Muscle.SUPRAHYOID]
)
def test_deep_anterior_muscles_are_not_addressable(muscle):
    assert MUSCLES[muscle].reach is Reach.NOT_ADDRESSABLE
    assert not MUSCLES[muscle].reach.reachable


def test_every_entry_names_sources_and_no_innervation_is_invented():
    for info in MUSCLES.values():
        assert info.sources
        assert info.note
        if info.reach is Reach.NOT_ADDRESSABLE:
            assert info.innervation is None


def test_unknown_muscle_is_refused():
    with pytest.raises(ValueError):
        muscle_info("deltoid")
