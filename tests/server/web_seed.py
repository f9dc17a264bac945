"""A small realistic workshop for the web UI's tests and screenshots.

Two donors with their batches, real-looking reports over six months (real SMART data and signed
certificates from `factories.make_report`, stored through `crud.ingest_report` exactly as the API
does), a machine received but not run yet, one whose certificate was tampered with, outcomes of
every kind, and hostile text (`<script>`) in an asset code and in free-text fields.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from agent.certs import StationKey
from server_stub import crud
from server_stub.db import Database

from .factories import make_report, tamper

PASSWORD = "mot-de-passe-atelier"
XSS = "<script>window.__xss=1</script>"
XSS_CODE = "AT-<script>window.__xss=1</script>"


@dataclass
class Seeded:
    donor_a: int
    donor_b: int
    batch_a: int
    batch_a2: int
    batch_b: int
    #: Asset codes by batch reference ("" for devices in no batch).
    codes: dict[str, list[str]] = field(default_factory=dict)
    waiting_code: str = "AT-2026-9001"
    invalid_code: str = "AT-2026-0666"
    xss_code: str = XSS_CODE
    users: dict[str, str] = field(default_factory=dict)

    def code(self, reference: str, index: int = 0) -> str:
        return self.codes[reference][index]


def seed_workshop(
    db: Database, *, per_batch: int = 12, rng_seed: int = 7, today: dt.date | None = None
) -> Seeded:
    rng = random.Random(rng_seed)
    today = today or dt.date.today()
    key = StationKey.generate()
    with db.session(write=True) as session:
        donor_a = crud.create_donor(session, name="Département de la Gironde", note="Direction du numérique")
        donor_b = crud.create_donor(session, name=f"Lycée Victor-Hugo {XSS}", note=XSS)
        batch_a = crud.create_batch(
            session,
            donor_id=donor_a.id,
            reference="CD33-2025",
            label="Département de la Gironde, convention 2025",
            units_announced=per_batch + 4,
            received_on=today - dt.timedelta(days=150),
        )
        batch_a2 = crud.create_batch(
            session,
            donor_id=donor_a.id,
            reference="CD33-2026",
            label="Département de la Gironde, convention 2026",
            units_announced=40,
            received_on=today - dt.timedelta(days=20),
        )
        batch_b = crud.create_batch(
            session,
            donor_id=donor_b.id,
            reference="LVH-2026",
            label=f"Renouvellement des salles {XSS}",
            units_announced=per_batch,
            received_on=today - dt.timedelta(days=90),
        )
        station, _token = crud.create_station(session, name="poste-2", public_key=key.public_key_b64)
        users = {}
        for role, donor_id in (("supervisor", None), ("technician", None), ("admin", None)):
            name = f"{role}-web"
            crud.create_user(
                session, username=name, password=PASSWORD, role=role, donor_id=donor_id, log2_n=10
            )
            users[role] = name
        for label, donor_id in (("donor_a", donor_a.id), ("donor_b", donor_b.id)):
            name = f"{label}-web"
            crud.create_user(
                session, username=name, password=PASSWORD, role="donor", donor_id=donor_id, log2_n=10
            )
            users[label] = name
        seeded = Seeded(
            donor_a=donor_a.id,
            donor_b=donor_b.id,
            batch_a=batch_a.id,
            batch_a2=batch_a2.id,
            batch_b=batch_b.id,
            users=users,
        )
        grades = "AABBBBBCCD"
        kinds = ("donated", "donated", "lent", "sold", "recycled", "parts", None, None)
        for reference, prefix, count in (
            ("CD33-2025", "AT-2025", per_batch),
            ("LVH-2026", "LVH", per_batch),
            ("CD33-2026", "AT-2026", per_batch // 2),
        ):
            seeded.codes[reference] = []
            for i in range(count):
                code = f"{prefix}-{i + 1:04d}"
                days_ago = rng.randrange(0, 170) if reference != "CD33-2026" else rng.randrange(0, 15)
                start = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(
                    days=days_ago, minutes=rng.randrange(480)
                )
                minutes = rng.randrange(35, 140)
                report = make_report(
                    asset_code=code,
                    key=key,
                    rng=rng,
                    grade=rng.choice(grades),
                    batch=reference,
                    started_at=start,
                    finished_at=start + dt.timedelta(minutes=minutes),
                    probe_log=20,
                )
                crud.ingest_report(
                    session, report=report, station=station, now=start + dt.timedelta(minutes=minutes)
                )
                seeded.codes[reference].append(code)
                kind = rng.choice(kinds) if days_ago > 7 else None
                if kind is not None:
                    device = crud.get_device(session, asset_code=code)
                    crud.record_outcome(
                        session,
                        device=device,
                        kind=kind,
                        date=start.date() + dt.timedelta(days=rng.randrange(1, 7)),
                        channel=None if kind in ("recycled", "parts") else "Centre social Saint-Michel",
                        recycler_pickup_ref="ENL-2026-0042" if kind == "recycled" else None,
                    )
        # Received at intake, not run yet.
        crud.attach_assets(session, batch_id=batch_a2.id, asset_codes=[seeded.waiting_code])
        # A certificate altered after signing: stored, flagged, never trusted.
        start = dt.datetime.combine(today, dt.time(10), tzinfo=dt.UTC) - dt.timedelta(days=3)
        bad = make_report(
            asset_code=seeded.invalid_code, key=key, rng=rng, batch="CD33-2026", started_at=start
        )
        bad = bad.model_copy(update={"certificates": [tamper(bad.certificates[0]), *bad.certificates[1:]]})
        crud.ingest_report(session, report=bad, station=station, now=start)
        # Hostile text where people and machines type: asset code, notes, outcome channel.
        hostile = make_report(
            asset_code=seeded.xss_code,
            key=key,
            rng=rng,
            batch="LVH-2026",
            started_at=start,
            notes=[XSS],
        )
        crud.ingest_report(session, report=hostile, station=station, now=start)
        crud.record_outcome(
            session,
            device=crud.get_device(session, asset_code=seeded.xss_code),
            kind="donated",
            date=today,
            channel=XSS,
            note=XSS,
        )
        # A second run of the same machine: the history has two entries.
        again = seeded.code("CD33-2025", 0)
        later = dt.datetime.combine(today, dt.time(14), tzinfo=dt.UTC) - dt.timedelta(days=1)
        crud.ingest_report(
            session,
            report=make_report(
                asset_code=again,
                key=key,
                rng=rng,
                batch="CD33-2025",
                started_at=later,
                grade="A",
                serial=crud.get_device(session, asset_code=again).serial,
            ),
            station=station,
            now=later,
        )
    return seeded


__all__ = ["PASSWORD", "XSS", "XSS_CODE", "Seeded", "seed_workshop"]
