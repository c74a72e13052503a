"""The students' single-user image, made from the student bundle as its Dockerfile makes it, without Docker.

No Docker engine runs here, so the image is a virtual environment: ``make test`` builds it (as root) from
Debian's /usr/bin/python3 in /opt/wordsnums-hub, readable by every user, with what the Dockerfile's base image
gives (JupyterLab, JupyterHub's single-user server, the proxy for the hub test) and the bundle's pinned
requirements. The tests then run the Dockerfile on it, instruction by instruction: COPY copies from the
bundle, RUN runs the command as written in that environment, with scratch folders for the image's paths.
Once per test run (both test workers share it), under a lock.
"""

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from filelock import FileLock

from utils.instructor import bundle

IMAGE_ENV = Path("/opt/wordsnums-hub")
BUNDLE_IN_IMAGE = "/tmp/bundle"
MISSING = f"needs the hub environment {IMAGE_ENV}: `make test` builds it as root"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, argument) pairs of a Dockerfile, continuation lines joined, comments left out."""
    joined = dockerfile.read_text().replace("\\\n", " ")
    return [tuple(line.split(maxsplit=1)) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def apply_dockerfile(made: Path, env: Path, scratch: Path) -> dict[str, Path]:
    """Run the Dockerfile of the bundle ``made`` on the environment ``env``; returns where the image's paths went."""
    mapped = {BUNDLE_IN_IMAGE: scratch / "bundle", bundle.IMAGE_DIR: scratch / "image"}

    def here(text: str) -> str:
        for image_path, path in mapped.items():
            text = text.replace(image_path, str(path))
        return text

    # back to the base image: no student library from an earlier run
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "uninstall", "--yes", "--quiet", bundle.DIST],
                   capture_output=True)
    shell_env = os.environ | {"PATH": f"{env / 'bin'}:/usr/bin:/bin", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for instruction, argument in instructions(made / "Dockerfile"):
        if instruction == "COPY":
            source, target = shlex.split(here(argument))
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            if (made / source).is_dir():
                shutil.copytree(made / source, target, dirs_exist_ok=True)
            else:
                shutil.copy2(made / source, target)
        elif instruction == "RUN":
            proc = subprocess.run(["bash", "-c", here(argument)], env=shell_env, capture_output=True, text=True)
            assert proc.returncode == 0, f"RUN {argument}\n{proc.stdout}{proc.stderr}"
        else:
            assert instruction == "FROM", f"the test knows no Dockerfile instruction {instruction}"
    return mapped


def build_image(scratch: Path) -> Path:
    """The student image for this test run: a bundle of the course, its Dockerfile run on IMAGE_ENV."""
    scratch.mkdir(parents=True, exist_ok=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    marker = IMAGE_ENV / ".wordsnums-image"
    with FileLock(str(IMAGE_ENV / ".wordsnums-image.lock")):
        if marker.is_file() and marker.read_text().split("\n")[0] == run:
            return Path(marker.read_text().split("\n")[1])
        made = bundle.write_bundle(Path(__file__).resolve().parent.parent, scratch / "student-bundle")
        apply_dockerfile(made, IMAGE_ENV, scratch / "image-paths")
        marker.write_text(f"{run}\n{made}\n")
        return made
