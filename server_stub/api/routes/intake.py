"""Intake: donors, their batches, and the asset labels received in each batch."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server_stub import crud
from server_stub.api.deps import SessionDep, SupervisorUser, UserPrincipal
from server_stub.schemas import (
    AssetsIn,
    AssetsOut,
    BatchIn,
    BatchOut,
    BatchPatch,
    DonorIn,
    DonorOut,
    DonorPatch,
    PathId,
    QueryId,
)

router = APIRouter(tags=["intake"])


@router.get("/donors")
def list_donors(session: SessionDep, principal: UserPrincipal) -> list[DonorOut]:
    return [DonorOut.of(d) for d in crud.list_donors(session, donor_scope=principal.donor_scope)]


@router.post("/donors", status_code=status.HTTP_201_CREATED)
def create_donor(body: DonorIn, session: SessionDep, user: SupervisorUser) -> DonorOut:
    donor = crud.create_donor(session, name=body.name, note=body.note, actor=f"user:{user.id}")
    session.commit()
    return DonorOut.of(donor)


@router.get("/donors/{donor_id}")
def get_donor(donor_id: PathId, session: SessionDep, principal: UserPrincipal) -> DonorOut:
    return DonorOut.of(crud.get_donor(session, donor_id=donor_id, donor_scope=principal.donor_scope))


@router.patch("/donors/{donor_id}")
def update_donor(donor_id: PathId, body: DonorPatch, session: SessionDep, user: SupervisorUser) -> DonorOut:
    donor = crud.update_donor(
        session, donor_id=donor_id, name=body.name, note=body.note, actor=f"user:{user.id}"
    )
    session.commit()
    return DonorOut.of(donor)


@router.delete("/donors/{donor_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_donor(donor_id: PathId, session: SessionDep, user: SupervisorUser) -> Response:
    crud.delete_donor(session, donor_id=donor_id, actor=f"user:{user.id}")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/batches")
def list_batches(session: SessionDep, principal: UserPrincipal, donor_id: QueryId = None) -> list[BatchOut]:
    return [
        BatchOut.of(b)
        for b in crud.list_batches(session, donor_id=donor_id, donor_scope=principal.donor_scope)
    ]


@router.post("/batches", status_code=status.HTTP_201_CREATED)
def create_batch(body: BatchIn, session: SessionDep, user: SupervisorUser) -> BatchOut:
    batch = crud.create_batch(
        session,
        donor_id=body.donor_id,
        reference=body.reference,
        label=body.label,
        units_announced=body.units_announced,
        received_on=body.received_on,
        note=body.note,
        actor=f"user:{user.id}",
    )
    session.commit()
    return BatchOut.of(batch, devices=0)


@router.get("/batches/{batch_id}")
def get_batch(batch_id: PathId, session: SessionDep, principal: UserPrincipal) -> BatchOut:
    batch = crud.get_batch(session, batch_id=batch_id, donor_scope=principal.donor_scope)
    return BatchOut.of(batch, devices=crud.batch_device_count(session, batch_id=batch.id))


@router.patch("/batches/{batch_id}")
def update_batch(batch_id: PathId, body: BatchPatch, session: SessionDep, user: SupervisorUser) -> BatchOut:
    batch = crud.update_batch(
        session,
        batch_id=batch_id,
        label=body.label,
        units_announced=body.units_announced,
        received_on=body.received_on,
        note=body.note,
        actor=f"user:{user.id}",
    )
    session.commit()
    return BatchOut.of(batch, devices=crud.batch_device_count(session, batch_id=batch.id))


@router.post("/batches/{batch_id}/assets")
def attach_assets(batch_id: PathId, body: AssetsIn, session: SessionDep, user: SupervisorUser) -> AssetsOut:
    """Put received asset labels in this batch; labels already in another batch are listed as
    conflicts and left there unless `move` is true."""
    result = crud.attach_assets(
        session, batch_id=batch_id, asset_codes=body.asset_codes, move=body.move, actor=f"user:{user.id}"
    )
    session.commit()
    return AssetsOut(
        created=result.created, attached=result.attached, already=result.already, conflicts=result.conflicts
    )
