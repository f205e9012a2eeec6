"""Method v1 draws pinned for fixed seeds: any change to the v1 draw (or to how a v1 sample verifies)
fails here, so samples drawn before keep verifying."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eia.accounts.models import Role
from eia.assessments.states import EiaState
from eia.quality import choosing, sampling
from tests.factories import make_eia, make_service_area, make_user

POPULATION = [[f"EIA-2025-{n:04d}", 1 + (n * 7) % 5] for n in range(1, 61)]

PINNED = [
    ("spring", 5, False, ["EIA-2025-0030", "EIA-2025-0045", "EIA-2025-0017", "EIA-2025-0023", "EIA-2025-0027"]),
    ("spring", 5, True, ["EIA-2025-0040", "EIA-2025-0058", "EIA-2025-0021", "EIA-2025-0029", "EIA-2025-0032"]),
    (
        "2025-Q1",
        12,
        False,
        [
            "EIA-2025-0051",
            "EIA-2025-0023",
            "EIA-2025-0041",
            "EIA-2025-0059",
            "EIA-2025-0012",
            "EIA-2025-0014",
            "EIA-2025-0020",
            "EIA-2025-0002",
            "EIA-2025-0030",
            "EIA-2025-0031",
            "EIA-2025-0024",
            "EIA-2025-0022",
        ],
    ),
    # One per service area comes first, so a size below the number of areas still takes one of each.
    ("0", 3, True, ["EIA-2025-0005", "EIA-2025-0048", "EIA-2025-0026", "EIA-2025-0044", "EIA-2025-0007"]),
    ("c0ffee1234abcd00", 1, False, ["EIA-2025-0039"]),
    (
        "autumn",
        8,
        True,
        [
            "EIA-2025-0020",
            "EIA-2025-0023",
            "EIA-2025-0001",
            "EIA-2025-0044",
            "EIA-2025-0052",
            "EIA-2025-0027",
            "EIA-2025-0054",
            "EIA-2025-0050",
        ],
    ),
]


@pytest.mark.parametrize(("seed", "size", "per_area", "expected"), PINNED)
def test_v1_draws_are_pinned_for_fixed_seeds(seed, size, per_area, expected):
    assert choosing.choose(POPULATION, size, per_service_area=per_area, seed=seed, method="v1") == expected


def test_a_v1_sample_drawn_and_stored_verifies_with_the_pinned_references(app, db):
    areas = [make_service_area(f"Pinned area {n}") for n in range(3)]
    approved = datetime(2025, 5, 1, tzinfo=UTC)
    for n in range(1, 13):
        author = make_user(Role.AUTHOR, service_area=areas[n % 3])
        make_eia(author=author, reference=f"EIA-2025-{n:04d}", state=EiaState.APPROVED, approved_at=approved)
    equalities = make_user(Role.EQUALITIES)
    period = sampling.parse_period("2025-Q1")
    plain = sampling.draw_sample(period=period, size="4", seed="pinned", exclude_months=0, by=equalities)
    spread = sampling.draw_sample(
        period=period, size="4", per_service_area=True, seed="pinned", exclude_months=0, by=equalities
    )
    db.session.commit()
    assert plain.method == spread.method == "v1"
    assert sampling.verify_sample(plain).stored == PLAIN
    assert sampling.verify_sample(spread).stored == SPREAD
    runner = app.test_cli_runner()
    for sample, expected in ((plain, PLAIN), (spread, SPREAD)):
        verified = runner.invoke(args=["sample", "verify", str(sample.id)])
        assert verified.exit_code == 0, verified.output
        assert f"gives {', '.join(expected)}." in verified.output


PLAIN = ["EIA-2025-0001", "EIA-2025-0010", "EIA-2025-0003", "EIA-2025-0005"]
SPREAD = ["EIA-2025-0003", "EIA-2025-0004", "EIA-2025-0008", "EIA-2025-0005"]
