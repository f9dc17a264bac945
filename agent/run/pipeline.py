"""`atelier run`: asset code → inventory → checks → erase plan → erasure → grade → report → upload → label.

Every step's result is saved in the run's state file as soon as it completes (`agent.run.state`),
so a crash or a power cut resumes the same run. Step implementations are injected (`RunSteps`):
tests drive the whole pipeline and the TUI with substitutes, and a piece of Atelier that is not
in this build records "not available yet" instead of stopping the run.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from agent import __version__
from agent._record import Record
from agent.config import Settings
from agent.errors import AtelierError, EnvironmentProblem, SafetyRefusal, UsageError
from agent.host import Host, HostFileError
from agent.i18n import _, current_language
from agent.parsers._text import clean
from agent.run.plan_view import plan_rows, planned_devices
from agent.run.state import STEPS, DiskErasure, RunState, RunStore
from agent.run.steps import EraseRequest, RunSteps, StepUnavailable, default_steps
from agent.run.summary import DiskOutcome, RunSummary, exit_code
from agent.run.ui import RunUI
from agent.spool import Spool, check_free_space
from agent.storage import atomic_write
from agent.upload import ServerClient, deliver

if TYPE_CHECKING:
    from agent.report import Report, SignedCertificate


def _warm_up() -> None:
    """Import the inventory while the technician scans the label.

    The first screen comes before these imports (about a second on this 2-core machine, many
    under emulation); the prompt waits on the keyboard, which leaves the interpreter free to load
    them meanwhile.
    """

    def load() -> None:
        for module in ("agent.report", "agent.probes.inventory"):
            with contextlib.suppress(Exception):
                importlib.import_module(module)

    threading.Thread(target=load, name="atelier-warm-up", daemon=True).start()


#: Steps that look at the disks: they wait for udev (RunOptions.settle_devices_s) once their screen is up.
_DEVICE_STEPS = frozenset({"inventory", "checks", "plan", "erase"})


def _title(step: str) -> str:
    titles = {
        "asset": _("Asset code"),
        "inventory": _("Inventory"),
        "checks": _("Quick checks"),
        "plan": _("Erasure plan"),
        "erase": _("Erasure"),
        "grade": _("Grade"),
        "report": _("Signed report"),
        "upload": _("Sending to the inventory"),
        "label": _("Label"),
    }
    return titles[step]


def machine_description(report: Report | None) -> str | None:
    if report is None:
        return None
    system = report.machine.system
    parts = [p for p in (system.manufacturer, system.product) if p]
    text = " ".join(parts) or _("unknown machine")
    if system.serial:
        text += f" (S/N {system.serial})"
    return text


def known_serial(device: dict[str, Any]) -> str | None:
    """The serial the server holds for an asset code, wherever its record keeps it."""
    for path in (("serial",), ("machine_serial",), ("machine", "system", "serial"), ("machine", "serial")):
        node: Any = device
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return node.strip()
    history = device.get("history")
    if isinstance(history, list) and history and isinstance(history[0], dict):
        return known_serial({k: v for k, v in history[0].items() if k != "history"})
    return None


class RunOptions(Record):
    settings: Settings
    data_dir: Path
    host: Host
    unattended: bool = False
    #: Only for `atelier run --fresh`: ignore an unfinished run and start over.
    fresh: bool = False
    #: Set by the live image's launcher (ATELIER_UDEV_SETTLE): udev may still be naming the disks
    #: when the agent starts; wait for it, at most this long, before the first step that looks at them.
    settle_devices_s: float | None = None


ClientFactory = Callable[[Settings], ServerClient | None]


def _default_client(settings: Settings) -> ServerClient | None:
    if not settings.server:
        return None
    return ServerClient(settings.server, settings.token, timeout=settings.upload_timeout_s)


class Pipeline:
    def __init__(
        self,
        options: RunOptions,
        ui: RunUI,
        steps: RunSteps | None = None,
        client_factory: ClientFactory = _default_client,
        sleep: Callable[[float], None] = time.sleep,
        cancel: threading.Event | None = None,
    ) -> None:
        self.options = options
        self.ui = ui
        self.steps = steps if steps is not None else default_steps()
        self.client_factory = client_factory
        self.sleep = sleep
        self.cancel = cancel if cancel is not None else threading.Event()
        self.settings = self.options.settings
        self.store = RunStore(self.options.data_dir)
        self.spool = Spool(self.options.data_dir)
        self.report: Report | None = None
        self.state = RunState()
        self.summary = RunSummary(report_id="", asset_code=None, machine=None)
        self._plan: Any = None
        self._client: ServerClient | None = None
        self._client_made = False
        self._lock = threading.Lock()
        self._devices_settled = False

    # -- helpers --------------------------------------------------------------------------
    @property
    def client(self) -> ServerClient | None:
        if not self._client_made:
            self._client = self.client_factory(self.settings)
            self._client_made = True
        return self._client

    def _save(self) -> None:
        if self.report is not None:
            self.state.report = self.report.model_dump(mode="json")
        self.store.save(self.state)

    def _run_dir(self) -> Path:
        return self.store.directory(self.state)

    def _log(self, text: str) -> None:
        """One line in runs/<id>/run.log on the stick: what support reads when a run went wrong."""
        from datetime import UTC, datetime

        directory = self._run_dir()
        if not directory.is_dir():
            return
        with contextlib.suppress(OSError), (directory / "run.log").open("a", encoding="utf-8") as log:
            log.write(f"{datetime.now(UTC).isoformat(timespec='seconds')} {text}\n")

    def _announce(self, step: str, detail: str = "") -> None:
        self._log(f"step {step}")
        self.ui.step(step, STEPS.index(step) + 1, len(STEPS), _title(step), detail)
        if step in _DEVICE_STEPS:
            self._wait_for_devices()

    def _wait_for_devices(self) -> None:
        """Once, before the first step that looks at the disks: udev's coldplug done.

        The live image starts the agent without waiting for udev (the first screen needs no disk):
        under emulation `udevadm settle` took ~20 s there, loading modules no screen needs, and a
        technician types the asset code meanwhile. The inventory must not start before it — a disk
        udev has not named yet would be missing from the report and from the erasure plan.
        """
        limit = self.options.settle_devices_s
        if limit is None or self._devices_settled:
            return
        self._devices_settled = True
        result = self.options.host.run(["udevadm", "settle", f"--timeout={limit:g}"], timeout=limit + 10)
        if result.returncode != 0:
            self._log(f"udevadm settle: exit code {result.returncode} {result.stderr.strip()[:200]}")

    def _note(self, text: str) -> None:
        self._log(text)
        if self.report is not None and text not in self.report.notes:
            self.report.notes.append(text)

    def _unavailable(self, step: str, err: StepUnavailable) -> None:
        self.state.record(step, "unavailable", str(err))
        self.summary.unavailable.append(step)
        self._note(f"step {step} not available in this build: {err}")
        self.ui.warn(_("This step is not available in this version of Atelier yet; the run goes on."))
        self._save()

    def _failed(self, step: str, err: Exception) -> None:
        message = err.message if isinstance(err, AtelierError) else f"{type(err).__name__}: {err}"
        self.state.record(step, "failed", message)
        self._note(f"step {step} failed: {message}")
        self.ui.warn(_("This step failed: {message}").format(message=message))
        self._save()

    def _identity(self) -> tuple[str | None, str | None]:
        """DMI serial and UUID, read straight from sysfs (no dmidecode: it must be instant)."""
        values: list[str | None] = []
        for name in ("product_serial", "product_uuid"):
            try:
                values.append(clean(self.options.host.read_text(f"/sys/class/dmi/id/{name}")))
            except HostFileError:
                values.append(None)
        return values[0], values[1]

    # -- the run --------------------------------------------------------------------------
    def run(self) -> RunSummary:
        check_free_space(self.options.data_dir, self.settings.min_free_mb, write_probe=False)
        serial, uuid = self._identity()
        resumed = None
        if not self.options.fresh:
            resumed = self.store.find_unfinished(
                serial=serial, uuid=uuid, asset_code=self.settings.asset_code
            )
        if resumed is None:
            asset_code = self._asset_code()
            if not self.options.fresh:
                resumed = self.store.find_unfinished(serial=serial, uuid=uuid, asset_code=asset_code)
            if resumed is None:
                self.state = RunState(
                    asset_code=asset_code,
                    machine_serial=serial,
                    machine_uuid=uuid,
                    mode="auto" if self.options.unattended else "guided",
                )
                self.state.record("asset", "done", asset_code)
                self._save()
        if resumed is not None:
            self.state = resumed
            self.summary.resumed = True
            self._log("resumed after an interruption")
            if resumed.report is not None:
                from agent.report import Report

                self.report = Report.model_validate(resumed.report)
            self.ui.set_context(asset_code=resumed.asset_code, machine=machine_description(self.report))
            self.ui.info(
                _("Resuming the interrupted run for {asset} (started {when}).").format(
                    asset=resumed.asset_code, when=resumed.created_at.strftime("%H:%M")
                )
            )
        self.summary.report_id = self.state.report_id
        self.summary.asset_code = self.state.asset_code
        self.ui.set_context(asset_code=self.state.asset_code, machine=machine_description(self.report))

        for step, action in (
            ("inventory", self._inventory),
            ("checks", self._checks),
            ("plan", self._plan_step),
            ("erase", self._erase),
            ("grade", self._grade),
            ("report", self._report),
        ):
            if self.state.done(step):
                continue
            try:
                action()
            except StepUnavailable as err:
                self._unavailable(step, err)
            except ModuleNotFoundError as err:
                # A piece of Atelier imported inside the step is not in this build yet.
                if not (err.name or "").startswith("agent."):
                    raise
                self._unavailable(step, StepUnavailable(f"{err.name} not available yet"))
            except (EnvironmentProblem, KeyboardInterrupt):
                raise
            except SafetyRefusal as err:
                self.state.refused = err.message
                self._failed(step, err)
            except UsageError:
                raise
            except Exception as err:  # a bug in one step must not lose what the others found
                if step == "report":
                    raise
                self._failed(step, err)
        self._restore_summary()
        self._upload()
        self._label()
        self.summary.exit_code = exit_code(self.summary)
        self.state.finished = True
        self.state.exit_code = self.summary.exit_code
        self._save()
        self._log(
            f"finished: grade {self.summary.grade.grade if self.summary.grade else '-'}, "
            f"disks {[(d.device, d.result) for d in self.summary.disks]}, upload {self.summary.upload} "
            f"{self.summary.upload_message!r}, exit code {self.summary.exit_code}"
        )
        self.ui.show_summary(self.summary)
        return self.summary

    # -- steps ----------------------------------------------------------------------------
    def _asset_code(self) -> str:
        pattern = re.compile(self.settings.asset_pattern)
        given = self.settings.asset_code
        if given is not None:
            code = given.strip().upper()
            if pattern.fullmatch(code):
                return code
            if self.options.unattended or not self.ui.interactive:
                raise UsageError(
                    _("The asset code {code!r} does not have the expected format ({pattern}).").format(
                        code=given, pattern=self.settings.asset_pattern
                    )
                )
        elif self.options.unattended or not self.ui.interactive:
            raise UsageError(_("An unattended run needs an asset code (--asset-code or atelier.asset=)."))
        self._announce("asset")
        # After the first screen, while the prompt waits on the keyboard: started earlier (or in
        # an unattended run, whose inventory imports these at once) this thread only competes
        # with the main one for the interpreter and delays the first screen.
        _warm_up()
        error: str | None = None
        while True:
            code = self.ui.ask_asset_code(error).strip().upper()
            if pattern.fullmatch(code):
                return code
            error = _(
                "{code!r} is not an asset code: scan the label again or type it (letters, digits, dashes)."
            ).format(code=code)

    def _inventory(self) -> None:
        self._announce("inventory", _("about 10 seconds"))
        only = self.settings.disks or None
        report = self.steps.inventory(self.options.host, self.state.asset_code, only)
        report.report_id = UUID(self.state.report_id)
        report.asset_code = self.state.asset_code
        report.lang = current_language()
        report.operator = self.settings.operator
        self.report = report
        self.ui.set_context(asset_code=self.state.asset_code, machine=machine_description(report))
        self.ui.show_inventory(report)
        self.state.record("inventory", "done")
        self._save()
        self._check_label(report)

    def _ensure_report(self) -> Report:
        if self.report is None:
            from agent.report import Report

            self.report = Report(
                agent_version=__version__,
                asset_code=self.state.asset_code,
                report_id=UUID(self.state.report_id),
                lang=current_language(),
                operator=self.settings.operator,
            )
        return self.report

    def _check_label(self, report: Report) -> None:
        """Wrong label? The server knows this asset code with another machine's serial."""
        serial = report.machine.system.serial
        client = self.client
        if client is None or not serial or not self.state.asset_code:
            return
        device = client.device(self.state.asset_code)
        other = known_serial(device) if device else None
        if other is None or other.upper() == serial.upper():
            return
        warning = _(
            "The inventory already knows {asset} as another machine (serial {other}); this one is {serial}. "
            "Is the label on the right machine?"
        ).format(asset=self.state.asset_code, other=other, serial=serial)
        self._note(
            f"asset code {self.state.asset_code} known on the server with serial {other}, this machine: {serial}"
        )
        if not self.ui.interactive:
            self.ui.warn(warning)
            return
        if not self.ui.confirm(warning + " " + _("Continue with this asset code?")):
            # Abandoned for good: the next `atelier run` on this machine must ask for the code
            # again, not resume under the wrong label.
            self.state.finished = True
            self.state.exit_code = UsageError.exit_code
            self._log("abandoned: wrong label")
            self._save()
            raise UsageError(_("Stopped: put the right label on the machine and start again."))

    def _checks(self) -> None:
        report = self._ensure_report()
        self._announce("checks", _("about 3 minutes"))
        interactive = self.ui.interactive_checks() if self.ui.interactive else None
        results = self.steps.checks(
            report,
            self.options.host,
            profile=self.settings.profile,
            progress=self.ui.check_progress,
            interactive=interactive,
            only_disks=self.settings.disks or None,
            server_url=self.settings.server,
            **({"skip": list(self.settings.skip_checks)} if self.settings.skip_checks else {}),
        )
        report.checks = list(results)
        if interactive is None:
            self._note("interactive checks skipped: unattended run")
        self.state.record("checks", "done")
        self._save()

    def _make_plan(self, selected: list[str] | None) -> Any:
        policy = self.steps.erase_policy(self.settings.policy)
        if self.options.unattended and not self.settings.disks:
            # Nobody confirms on screen and no disk was named: only a policy written for
            # unattended erasure may pick the disks by itself (issue 3, safety).
            self.steps.require_unattended(policy)
        usages = self.steps.usages(self.options.host)
        return self.steps.plan(self._ensure_report().disks, policy, usages, selected)

    def _selected(self) -> list[str] | None:
        done = {d for d, e in self.state.erasure.items() if e.status == "done"}
        if self.state.planned:
            return [d for d in self.state.planned if d not in done]
        if self.settings.disks:
            return [d for d in self.settings.disks if d not in done]
        return None

    def _plan_step(self) -> None:
        self._announce("plan")
        check_free_space(self.options.data_dir, self.settings.min_free_mb)
        plan = self._make_plan(self._selected())
        rows = plan_rows(plan)
        self.ui.show_plan(rows)
        devices = planned_devices(plan)
        if not devices:
            self.state.record("plan", "skipped", "nothing to erase")
            self.state.record("erase", "skipped", "nothing to erase")
            self._save()
            return
        if (
            self.ui.interactive
            and not self.options.unattended
            and not self.steps.confirm(plan, self.ui.ask_text)
        ):
            raise SafetyRefusal(_("Erasure not confirmed: nothing was erased."))
        self._plan = plan
        self.state.planned = devices
        self.state.record("plan", "done", ", ".join(devices))
        self._save()

    def _erase(self) -> None:
        report = self._ensure_report()
        self._wait_for_devices()  # a resumed run re-plans before this step's screen
        if "plan" in self.summary.unavailable or self.state.steps.get("plan", None) is None:
            raise StepUnavailable("no erasure plan")
        if self.state.steps["plan"].status != "done":
            self.state.record("erase", "skipped", "no plan")
            self._save()
            return
        # Free space is checked again right before writing to any disk (the stick may have filled).
        check_free_space(self.options.data_dir, self.settings.min_free_mb)
        restarted = {d for d, e in self.state.erasure.items() if e.status == "running"}
        todo = [d for d in self.state.planned if self.state.erasure.get(d, None) is None or d in restarted]
        plan = self._plan if self._plan is not None and not self.state.erasure else self._make_plan(todo)
        devices = planned_devices(plan)
        if not devices:
            self.state.record("erase", "done")
            self._save()
            return
        serials = {d.path: d.serial for d in report.disks}
        for device in devices:
            previous = self.state.erasure.get(device)
            self.state.erasure[device] = DiskErasure(
                device=device,
                serial=serials.get(device),
                status="running",
                attempts=(previous.attempts + 1) if previous else 1,
            )
        self._save()
        if restarted:
            self.ui.info(
                _("The erasure of {devices} was interrupted: it starts again from the beginning.").format(
                    devices=", ".join(sorted(restarted))
                )
            )
        from agent.report import CertMachine

        out_dir = self._run_dir() / "certificates"
        key = self.steps.station_key(self.options.data_dir)
        system = report.machine.system
        self._announce("erase", _("the progress bars show the time left"))
        refusals: list[Exception] = []
        self.ui.erase_started(devices)
        try:
            certificates = self.steps.execute(
                plan,
                EraseRequest(
                    host=self.options.host,
                    key=key,
                    asset_code=self.state.asset_code,
                    machine=CertMachine(
                        manufacturer=system.manufacturer,
                        product=system.product,
                        serial=system.serial,
                        uuid=system.uuid,
                    ),
                    operator=self.settings.operator,
                    organisation=self.settings.organisation,
                    station=self.settings.station_name,
                    report_id=self.state.report_id,
                    out_dir=out_dir,
                    progress=self.ui.erase_progress,
                    cancel=self.cancel,
                    restarted=restarted,
                    on_certificate=self._certificate_done,
                    refusals=refusals,
                    lang=current_language(),
                ),
            )
        finally:
            self.ui.erase_finished()
        with self._lock:
            for signed in certificates:
                self._keep_certificate(signed)
        for signed in certificates:
            self._store_certificate(signed, out_dir)
        self.state.record("erase", "done")
        self._save()
        if refusals:
            messages = [getattr(r, "message", str(r)) for r in refusals]
            raise SafetyRefusal(" ".join(messages))

    def _cert_device(self, signed: SignedCertificate) -> str:
        name = signed.certificate.disk.name or "?"
        if name.startswith("/dev/"):
            return name
        for disk in self._ensure_report().disks:
            if name == disk.name or (
                signed.certificate.disk.serial and signed.certificate.disk.serial == disk.serial
            ):
                return disk.path
        return f"/dev/{name}"

    def _keep_certificate(self, signed: SignedCertificate) -> None:
        report = self._ensure_report()
        device = self._cert_device(signed)
        report.certificates = [c for c in report.certificates if self._cert_device(c) != device] + [signed]
        if device in self.state.erasure:
            self.state.erasure[device].status = "done"

    def _certificate_done(self, signed: SignedCertificate) -> None:
        """One disk finished (from the engine's worker thread): never redo it after a crash."""
        with self._lock:
            self._keep_certificate(signed)
            self._save()

    def _store_certificate(self, signed: SignedCertificate, out_dir: Path) -> None:
        stem_hits = (
            list(out_dir.glob(f"*{signed.certificate.certificate_id.hex[:8]}*.json"))
            if out_dir.is_dir()
            else []
        )
        if stem_hits:
            return
        try:
            self.steps.write_certificate(signed, out_dir, current_language())
        except StepUnavailable:
            atomic_write(
                out_dir / f"{signed.certificate.certificate_id}.json",
                signed.model_dump_json(indent=1).encode("utf-8"),
            )

    def _grade(self) -> None:
        report = self._ensure_report()
        self._announce("grade")
        report.grade = self.steps.grade(report, self.settings.grading_policy)
        self.state.record("grade", "done")
        self._save()

    def _report(self) -> None:
        report = self._ensure_report()
        self._announce("report")
        from datetime import UTC, datetime

        fingerprint = None
        with contextlib.suppress(StepUnavailable):
            fingerprint = getattr(self.steps.station_key(self.options.data_dir), "fingerprint", None)
        from agent.report import Station

        report.station = Station(name=self.settings.station_name, key_fingerprint=fingerprint)
        report.finished_at = datetime.now(UTC)
        payload = report.model_dump_json(indent=None).encode("utf-8")
        atomic_write(self._run_dir() / "report.json", payload)
        self.summary.spool_path = self.spool.put(self.state.report_id, payload)
        self.state.record("report", "done")
        self._save()

    def _restore_summary(self) -> None:
        report = self.report
        self.summary.machine = machine_description(report)
        if report is None:
            return
        self.summary.grade = report.grade
        self.summary.checks_failed = [c.id for c in report.checks if c.status in ("fail", "error")]
        self.summary.checks_skipped = sum(1 for c in report.checks if c.status == "skipped")
        self.summary.notes = list(report.notes)
        self.summary.disks = [
            DiskOutcome(
                device=self._cert_device(c),
                model=c.certificate.disk.model,
                serial=c.certificate.disk.serial,
                result=c.certificate.result,
                technique=c.certificate.technique,
                restarted=c.certificate.restarted,
            )
            for c in report.certificates
        ]
        for step in ("checks", "plan", "erase", "grade"):
            record = self.state.steps.get(step)
            if record is not None and record.status == "unavailable" and step not in self.summary.unavailable:
                self.summary.unavailable.append(step)
        self.summary.refused = self.state.refused

    def _upload(self) -> None:
        if self.spool.state_of(self.state.report_id) is None:
            self.summary.upload = "pending"
            self.summary.upload_message = _("The report could not be written.")
            return
        self._announce("upload", _("a few seconds"))
        state = self.spool.state_of(self.state.report_id)
        if state in ("sent", "rejected"):
            self.summary.upload = state
            return
        client = self.client
        if client is None:
            self.summary.upload = "pending"
            self.summary.upload_message = _(
                "No inventory server configured: the report stays on the USB stick."
            )
            self.state.record("upload", "skipped", "no server")
            self._save()
            return
        entry = next(e for e in self.spool.pending() if e.report_id == self.state.report_id)
        delivery = deliver(
            self.spool, entry, client, attempts=self.settings.upload_attempts, sleep=self.sleep
        )
        self.summary.upload = delivery.outcome
        if delivery.outcome == "sent":
            self.summary.upload_message = _("Report received by the inventory.")
            self.state.record("upload", "done")
        elif delivery.outcome == "rejected":
            self.summary.upload_message = _("The inventory refused the report: {message}").format(
                message=delivery.message
            )
            self.state.record("upload", "failed", delivery.message)
        else:
            self.summary.upload_message = _(
                "The inventory cannot be reached: the report is kept on the USB stick; `atelier sync` will send it."
            )
            self.state.record("upload", "failed", delivery.message)
        self._save()

    def _label(self) -> None:
        if self.report is None:
            return
        self._announce("label")
        try:
            from agent.label import print_or_save

            path, printed = print_or_save(
                self.report,
                self._run_dir() / "label.pdf",
                fmt=self.settings.label_format,
                printer=self.settings.printer,
                host=self.options.host,
            )
        except Exception as err:  # a label is a convenience: never lose the run for it
            self.ui.warn(_("The label could not be made: {error}").format(error=err))
            return
        self.summary.label_path = path
        self.summary.label_printed = printed
        self.state.record("label", "done", str(path))


__all__ = ["ClientFactory", "Pipeline", "RunOptions", "known_serial", "machine_description"]
