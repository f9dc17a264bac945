"""`make demo`: the main job on this machine, safely, on a scratch disk image.

1. A 64 MiB scratch disk image with a filesystem and a planted sentinel, behind a loop device
   (root only; without root the demo stops after the inventory).
2. An embedded central inventory (`atelier-server`, SQLite in a temporary data directory).
3. This PC registers as a station with a one-time code, shows the erase plan (dry run), then
   `atelier run --unattended` restricted to the scratch disk: inventory, checks, erasure,
   verification, grade, signed report, upload, label.
4. Proof: the sentinel is gone from the image; the report is on the server.

Nothing here ever names a disk other than the scratch loop device.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SENTINEL = b"ATELIER-DEMO-SENTINEL-7f3a9c"
BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def atelier(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = [str(BIN / "atelier"), *args]
    print("$ " + " ".join(argv), flush=True)
    proc = subprocess.run(argv, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"demo: `atelier {args[0]}` failed with exit code {proc.returncode}")
    return proc


@contextlib.contextmanager
def scratch_disk(workdir: Path) -> Iterator[tuple[str, Path]]:
    image = workdir / "scratch-disk.img"
    with open(image, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "DEMO", str(image)], check=True)
    dev = subprocess.run(
        ["losetup", "-f", "--show", "--direct-io=on", str(image)], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        mnt = workdir / "mnt"
        mnt.mkdir()
        subprocess.run(["mount", dev, str(mnt)], check=True)
        try:
            for i in range(20):
                (mnt / f"document-{i}.txt").write_bytes(SENTINEL * 200 + f" file {i}\n".encode())
        finally:
            subprocess.run(["umount", str(mnt)], check=True)
        yield dev, image
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def embedded_server(workdir: Path) -> Iterator[tuple[str, str] | None]:
    """The central inventory on SQLite in a temporary folder; yields (URL, one-time station code)."""
    server = BIN / "atelier-server"
    if not server.exists():
        yield None
        return
    data = workdir / "server-data"
    port = free_port()
    code_proc = subprocess.run(
        [str(server), "--data-dir", str(data), "station", "code"], capture_output=True, text=True, check=False
    )
    code = code_proc.stdout.strip().splitlines()[-1] if code_proc.returncode == 0 and code_proc.stdout else ""
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [str(server), "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield url, code
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        log.close()


def show_device(url: str, data_dir: Path, asset_code: str) -> None:
    """What the central inventory now holds for the machine, read with the station's own token."""
    import requests

    from agent.config.sources import STATION_FILE, read_station_file

    token = read_station_file(data_dir / STATION_FILE).get("token")
    say(f"Ce que l'inventaire central a reçu pour {asset_code}")
    try:
        answer = requests.get(
            f"{url}/api/v1/devices/{asset_code}", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    except requests.RequestException as err:
        print(f"inventaire central injoignable : {err}")
        return
    if answer.status_code != 200:
        print(f"réponse {answer.status_code} : {answer.text[:300]}")
        return
    device = answer.json()
    for key in ("asset_code", "serial", "grade", "erasure_status", "updated_at"):
        if key in device:
            print(f"  {key:<16} {device[key]}")
    print(f"  historique       {len(device.get('history', []))} rapport(s)")
    print(
        f"Pour parcourir la fiche dans un navigateur : {BIN / 'atelier-server'} --data-dir {data_dir.parent / 'server-data'}"
        f" (le mot de passe admin est dans {data_dir.parent / 'server.log'})."
    )


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="atelier-demo-"))
    if os.geteuid() != 0 or shutil.which("losetup") is None:
        say("Inventaire de cette machine, sans ses disques (pas root : pas de disque de test en boucle)")
        atelier("inventory", "--no-disks")
        say("La démonstration s'arrête là : l'effacement se fait sur un disque de test, qui demande root.")
        return 0
    try:
        with scratch_disk(workdir) as (dev, image), embedded_server(workdir) as server:
            if server is None:
                raise SystemExit(
                    "demo: atelier-server is not installed (make venv installs the server extra)"
                )
            url, code = server
            data_dir = workdir / "agent-data"
            say(f"Disque de test : {dev} ({image}), avec des fichiers témoins")
            say(
                f"Enregistrement de ce poste auprès de l'inventaire central ({url}), avec un code à usage unique"
            )
            atelier(
                "station",
                "register",
                "--server",
                url,
                "--code",
                code,
                "--name",
                "poste-demo",
                "--data-dir",
                str(data_dir),
            )
            say("Plan d'effacement (rien n'est écrit)")
            atelier("erase", "--dry-run", "--device", dev, "--data-dir", str(data_dir), check=False)
            say(
                "Parcours complet sans surveillance : inventaire, tests, effacement vérifié, classement, envoi"
            )
            run = atelier(
                "run",
                "--unattended",
                "--asset-code",
                "DEMO-0001",
                "--server",
                url,
                "--disks",
                dev,
                "--data-dir",
                str(data_dir),
                "--end",
                "wait",
                check=False,
            )
            for certificate in sorted(data_dir.glob("runs/*/certificates/*.json")):
                say(f"Certificat : {certificate.name}")
                atelier("certificate", "verify", str(certificate), check=False)
            show_device(url, data_dir, "DEMO-0001")
            survived = SENTINEL in image.read_bytes()
            say(
                "Vérification indépendante du disque de test : "
                + ("ÉCHEC, des données témoins subsistent" if survived else "aucun octet témoin ne subsiste")
            )
            print(f"Fichiers de la démonstration (rapport, certificats PDF, étiquette) : {workdir}")
            return 1 if survived or run.returncode != 0 else 0
    finally:
        shutil.rmtree(workdir / "mnt", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
