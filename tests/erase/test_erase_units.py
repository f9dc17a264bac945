"""Keystream, sampling, policies and the typed confirmation (no device needed)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.erase.keystream import Keystream, new_seed
from agent.erase.patterns import Pattern
from agent.erase.planner import plan_erasure
from agent.erase.policy import load_policy, parse_policy, shipped_policies
from agent.erase.safety import confirm_plan, planned_entry, require_unattended
from agent.erase.sampling import full_plan, sampled_plan
from agent.errors import InputError, SafetyRefusal
from agent.i18n import set_language
from agent.report import Disk


def test_keystream_is_seekable_and_seeded() -> None:
    seed = new_seed()
    stream = Keystream(seed)
    whole = stream.bytes_at(0, 1 << 16)
    for offset in (0, 16, 512, 4096, 40960, 65536 - 512):
        assert stream.bytes_at(offset, 512) == whole[offset : offset + 512]
    assert Keystream(seed).bytes_at(4096, 64) == whole[4096 : 4096 + 64]
    assert Keystream(new_seed()).bytes_at(0, 64) != whole[:64]
    with pytest.raises(ValueError):
        stream.bytes_at(3, 16)


def test_keystream_continued_sequentially_equals_the_whole_stream() -> None:
    seed = new_seed()
    whole = Keystream(seed).bytes_at(0, 1 << 16)
    stream = Keystream(seed)
    pieces = [stream.bytes_at(off, 4096) for off in range(0, 1 << 16, 4096)]
    assert b"".join(pieces) == whole
    # An odd length breaks the continuation; the next fill must start afresh at its own offset.
    assert stream.bytes_at(0, 24) == whole[:24]
    assert stream.bytes_at(32, 32) == whole[32:64]


def test_keystream_fill_larger_than_the_plaintext_step() -> None:
    from agent.erase.keystream import PLAINTEXT_STEP

    seed = new_seed()
    n = 2 * PLAINTEXT_STEP + PLAINTEXT_STEP // 2 + 48
    big = Keystream(seed).bytes_at(4096, n)
    step = 256 * 1024
    pieces = b"".join(Keystream(seed).bytes_at(4096 + o, min(step, n - o)) for o in range(0, n, step))
    assert big == pieces


def test_keystream_looks_random() -> None:
    data = Keystream(new_seed()).bytes_at(0, 1 << 20)
    counts = [data.count(bytes([b])) for b in range(256)]
    assert min(counts) > 3500 and max(counts) < 4700  # 4096 expected per byte value


@settings(max_examples=60, deadline=None)
@given(
    lbas=st.integers(min_value=1, max_value=10_000_000),
    percent=st.floats(min_value=10.0, max_value=100.0),
    sector=st.sampled_from([512, 4096]),
)
def test_sampling_meets_nist(lbas: int, percent: float, sector: int) -> None:
    size = lbas * sector
    plan = sampled_plan(size, sector, percent=percent, sections=1000, rng=random.Random(lbas))
    ranges = plan.ranges
    assert ranges[0][0] == 0  # first LBA
    assert ranges[-1][1] == size  # last LBA
    assert all(s % sector == 0 and e % sector == 0 and s < e for s, e in ranges)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))  # sorted, disjoint
    assert plan.coverage_percent >= percent - 1e-9
    assert plan.sections == min(1000, lbas)


def test_sampling_spreads_over_at_least_1000_subsections() -> None:
    plan = sampled_plan(500 * 1000**3, 512, rng=random.Random(1))
    assert len(plan.ranges) >= 1000
    assert 10.0 <= plan.coverage_percent < 10.1
    assert full_plan(4096).ranges == ((0, 4096),)


def test_shipped_policies_load() -> None:
    assert set(shipped_policies()) >= {
        "default",
        "overwrite-only",
        "firmware-only",
        "dod-short",
        "hmg-is5-baseline",
        "hmg-is5-enhanced",
    }
    dod = load_policy("dod-short")
    assert dod.passes == (Pattern("zeros"), Pattern("ones"), Pattern("random"))
    assert dod.mode == "overwrite-only"
    assert not load_policy(None).unattended


def test_policy_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('name = "station"\n[overwrite]\npasses = ["0x55", "random"]\n[run]\nunattended = true\n')
    policy = load_policy(str(path))
    assert policy.name == "station"
    assert policy.passes == (Pattern("byte", 0x55), Pattern("random"))
    assert policy.unattended


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name = ", "TOML"),
        ("colour = 1", "colour"),
        ('[technique]\nmode = "magic"', "technique.mode"),
        ('[verification]\nlevel = "quick"', "verification.level"),
        ("[verification]\nsample_percent = 5", "10 %"),
        ('[overwrite]\npasses = ["plaid"]', "plaid"),
        ("[run]\nunattended = 1", "unattended"),
    ],
)
def test_bad_policies_say_what_is_wrong(text: str, needle: str) -> None:
    set_language("en")
    with pytest.raises(InputError) as info:
        parse_policy(text, source="bad.toml")
    assert needle in info.value.message
    assert "bad.toml" in info.value.message


def test_unknown_policy_name_lists_the_shipped_ones() -> None:
    with pytest.raises(InputError) as info:
        load_policy("nope")
    assert "dod-short" in info.value.message


def _plan():  # type: ignore[no-untyped-def]
    from dataclasses import dataclass

    @dataclass
    class Free:
        name: str
        in_use: bool = False
        is_boot_medium: bool = False
        reasons: tuple[str, ...] = ()

    disks = [
        Disk(
            name="sdb",
            path="/dev/sdb",
            model="WDC WD5000AAKX",
            serial="WD-WCAYUJ123456",
            size_bytes=500107862016,
        ),
        Disk(name="sdc", path="/dev/sdc", size_bytes=10**9),
    ]
    return plan_erasure(
        disks, load_policy("default"), usages={d.name: Free(d.name) for d in disks}, selected=["/dev/sdb"]
    )


def test_typed_confirmation_shows_model_serial_size_and_needs_the_exact_word() -> None:
    set_language("fr")
    plan = _plan()
    prompts: list[str] = []

    def ask(answer: str):  # type: ignore[no-untyped-def]
        def _ask(prompt: str) -> str:
            prompts.append(prompt)
            return answer

        return _ask

    assert confirm_plan(plan, ask("EFFACER"))
    prompt = prompts[0]
    assert "WDC WD5000AAKX" in prompt and "WD-WCAYUJ123456" in prompt and "500,1\u202fGo" in prompt
    assert "/dev/sdc" not in prompt  # only what will be erased is listed
    assert not confirm_plan(plan, ask("oui"))
    assert not confirm_plan(plan, ask("effacer"))
    assert not confirm_plan(plan, ask(""))

    def eof(prompt: str) -> str:
        raise EOFError

    assert not confirm_plan(plan, eof)
    set_language("en")
    assert confirm_plan(plan, ask("ERASE"))


def test_anything_not_planned_for_erasure_is_refused() -> None:
    plan = _plan()
    assert planned_entry(plan, "/dev/sdb").disk.name == "sdb"
    with pytest.raises(SafetyRefusal):
        planned_entry(plan, "/dev/sdc")  # in the plan, but skipped
    with pytest.raises(SafetyRefusal) as info:
        planned_entry(plan, "/dev/sdz")
    assert info.value.exit_code == 4


def test_unattended_needs_an_explicit_policy(tmp_path: Path) -> None:
    with pytest.raises(SafetyRefusal):
        require_unattended(load_policy("default"))
    path = tmp_path / "u.toml"
    path.write_text("[run]\nunattended = true\n")
    require_unattended(load_policy(str(path)))
