"""`make demo`: the main job on this machine, safely, on a scratch disk image.

1. A 64 MiB scratch disk image with a filesystem and a planted sentinel, behind a loop device
   (root only; without root the demo stops after the inventory).
2. An embedded central inventory (`atelier-server`, SQLite in a temporary data directory).
3. `atelier run --unattended` restricted to the scratch disk: inventory, checks, erasure,
   verification, grade, signed report, upload — or, while those are not all there, the steps
   that exist (`inventory`, `erase`).
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


def has_command(name: str) -> bool:
    proc = subprocess.run([str(BIN / "atelier"), "--help"], capture_output=True, text=True, check=False)
    return (
        f" {name} " in proc.stdout
        or f"{{{name}," in proc.stdout
        or f",{name}," in proc.stdout
        or f",{name}}}" in proc.stdout
    )


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
    server = BIN / "atelier-server"
    if not server.exists():
        yield None
        return
    data = workdir / "server-data"
    port = free_port()
    env = {**os.environ, "ATELIER_SERVER_DATA_DIR": str(data)}
    token_proc = subprocess.run(
        [str(server), "--data-dir", str(data), "station", "create", "demo-station"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    token = (
        token_proc.stdout.strip().splitlines()[-1] if token_proc.returncode == 0 and token_proc.stdout else ""
    )
    proc = subprocess.Popen(
        [str(server), "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield url, token
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="atelier-demo-"))
    if os.geteuid() != 0 or shutil.which("losetup") is None:
        say("Inventaire de cette machine, sans ses disques (pas root : pas de disque de test en boucle)")
        atelier("inventory", "--no-disks")
        say("La démonstration s'arrête là : l'effacement se fait sur un disque de test, qui demande root.")
        return 0
    try:
        with scratch_disk(workdir) as (dev, image), embedded_server(workdir) as server:
            say(f"Disque de test : {dev} ({image}), contenant des fichiers témoins")
            data_dir = workdir / "agent-data"
            if has_command("run") and server is not None:
                url, token = server
                say(f"Parcours complet sans surveillance, serveur {url}")
                atelier(
                    "run",
                    "--unattended",
                    "--asset-code",
                    "DEMO-0001",
                    "--server",
                    url,
                    "--token",
                    token,
                    "--disks",
                    dev,
                    "--data-dir",
                    str(data_dir),
                    "--end",
                    "wait",
                    check=False,
                )
            else:
                atelier("inventory", "--disks", dev, "--asset-code", "DEMO-0001")
                if has_command("erase"):
                    say("Plan d'effacement (rien n'est écrit)")
                    atelier("erase", "--dry-run", "--device", dev, "--data-dir", str(data_dir), check=False)
                    say("Effacement vérifié du disque de test")
                    atelier(
                        "erase",
                        "--device",
                        dev,
                        "--yes",
                        "--out",
                        str(workdir / "certificates"),
                        "--data-dir",
                        str(data_dir),
                        check=False,
                    )
            survived = SENTINEL in image.read_bytes()
            say(
                "Vérification indépendante : "
                + ("ÉCHEC, des données témoins subsistent" if survived else "aucun octet témoin ne subsiste")
            )
            print(f"Fichiers de la démonstration : {workdir}")
            return 1 if survived and has_command("erase") else 0
    finally:
        shutil.rmtree(workdir / "mnt", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
