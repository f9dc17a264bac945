"""Outcomes: what became of a device (never who received it)."""

from __future__ import annotations

from fastapi import APIRouter, status

from server_stub import crud
from server_stub.api.deps import SessionDep, StaffUser, UserPrincipal
from server_stub.schemas import OutcomeIn, OutcomeOut

router = APIRouter(tags=["outcomes"])


@router.post("/devices/{asset_code:path}/outcomes", status_code=status.HTTP_201_CREATED)
def post_outcome(asset_code: str, body: OutcomeIn, session: SessionDep, user: StaffUser) -> OutcomeOut:
    device = crud.get_device(session, asset_code=asset_code)
    outcome = crud.record_outcome(
        session,
        device=device,
        kind=body.kind,
        date=body.date,
        channel=body.channel,
        recycler_pickup_ref=body.recycler_pickup_ref,
        note=body.note,
        user_id=user.id,
        actor=f"user:{user.id}",
    )
    session.commit()
    return OutcomeOut.of(outcome)


@router.get("/devices/{asset_code:path}/outcomes")
def list_outcomes(asset_code: str, session: SessionDep, principal: UserPrincipal) -> list[OutcomeOut]:
    device = crud.get_device(session, asset_code=asset_code, donor_scope=principal.donor_scope)
    return [OutcomeOut.of(o) for o in crud.device_outcomes(session, device=device)]
