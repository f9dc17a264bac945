"""The ingest's certificate check gives exactly what the agent's reference checker gives."""

from __future__ import annotations

import base64

import pytest

from agent.certs import StationKey
from agent.certs.sign import FINGERPRINT_MISMATCH
from agent.report import SignedCertificate, canonical_json
from server_stub.signatures import NO_STATION_KEY, check_for_station, verify_for_station

from .factories import make_report, tamper

KEY = StationKey.generate()
OTHER = StationKey.generate()


def _signed() -> SignedCertificate:
    return make_report(asset_code="SIG-1", key=KEY).certificates[0]


def _edit(signed: SignedCertificate, **fields: object) -> SignedCertificate:
    data = signed.model_dump()
    data.update(fields)
    return SignedCertificate.model_validate(data)


def _variants() -> dict[str, SignedCertificate]:
    good = _signed()
    raw_signature = base64.b64decode(good.signature)
    return {
        "valid": good,
        "tampered": tamper(good),
        "other key": make_report(asset_code="SIG-2", key=OTHER).certificates[0],
        "signature not base64": _edit(good, signature="not base64!"),
        "signature of another length": _edit(good, signature=base64.b64encode(raw_signature[:40]).decode()),
        "signature bytes changed": _edit(
            good, signature=base64.b64encode(bytes([raw_signature[0] ^ 1]) + raw_signature[1:]).decode()
        ),
        "public key not a key": _edit(good, public_key=base64.b64encode(b"\x00" * 31).decode()),
        "fingerprint": _edit(good, key_fingerprint="0" * 64),
        "fingerprint not ascii": _edit(good, key_fingerprint="é" * 64),
    }


@pytest.mark.parametrize("name", list(_variants()))
@pytest.mark.parametrize("station_key", [KEY.public_key_b64, OTHER.public_key_b64, None])
def test_same_verdict_and_problems_as_the_reference(name: str, station_key: str | None) -> None:
    signed = _variants()[name]
    check, stored = check_for_station(signed, station_key)
    if name == "fingerprint not ascii" and station_key is not None:
        # The reference raises TypeError here (hmac.compare_digest refuses non-ASCII text): a
        # posted report must get a flagged certificate, not a server error.
        assert not check.valid and FINGERPRINT_MISMATCH in check.problems
        return
    reference = verify_for_station(signed, station_key)
    assert (check.valid, check.problems) == (reference.valid, reference.problems)
    assert stored == canonical_json(signed).decode("utf-8")
    if name == "valid" and station_key == KEY.public_key_b64:
        assert check.valid
    if station_key is None:
        assert check.problems == [NO_STATION_KEY]


def test_fast_dump_spells_certificates_as_the_models_do() -> None:
    from server_stub.signatures import _fast_dump

    for signed in make_report(asset_code="SIG-3", key=KEY).certificates:
        assert _fast_dump(signed) == signed.model_dump(mode="json")
