"""The instructor guide's Zero to JupyterHub config: one YAML block, in the shape the Helm chart takes.

No cluster: the block is parsed and checked against the keys of the chart's values schema
(jupyterhub/values.schema.yaml of zero-to-jupyterhub-k8s, the same from chart 4.3.0 to 4.4.0 for every key
listed here), and the Python it carries for the hub and for nbgrader is run against stand-ins.
"""

import re
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from conftest import ROOT
from traitlets.config import Config

from utils.grading import sandbox
from utils.instructor import bundle

GUIDE = ROOT / "notebooks" / "instructor_guide.ipynb"
HEADING = "## Running the course on Zero to JupyterHub (Kubernetes)"
STUDENT_IMAGE = "registry.example.edu/words-and-numbers-student"
COURSE_PVC = "course-words-and-numbers"
COURSE_MOUNT = "/home/jovyan/course"

# the properties of the chart's values schema (additionalProperties: false at each of these levels)
CHART_KEYS = {"cull", "custom", "debug", "enabled", "fullnameOverride", "global", "httpRoute", "hub",
              "imagePullSecret", "imagePullSecrets", "ingress", "nameOverride", "prePuller", "proxy", "rbac",
              "scheduling", "singleuser"}
HUB_KEYS = {"activeServerLimit", "allowNamedServers", "annotations", "args", "authenticatePrometheus", "baseUrl",
            "command", "concurrentSpawnLimit", "config", "consecutiveFailureLimit", "containerSecurityContext",
            "cookieSecret", "db", "deploymentStrategy", "existingSecret", "extraConfig", "extraContainers",
            "extraEnv", "extraFiles", "extraPodSpec", "extraVolumeMounts", "extraVolumes", "fsGid", "image",
            "initContainers", "labels", "lifecycle", "livenessProbe", "loadRoles", "namedServerLimitPerUser",
            "networkPolicy", "nodeSelector", "pdb", "podSecurityContext", "readinessProbe", "redirectToServer",
            "resources", "revisionHistoryLimit", "service", "serviceAccount", "services", "shutdownOnLogout",
            "templatePaths", "templateVars", "tolerations"}
HUB_DB_KEYS = {"password", "pvc", "type", "upgrade", "url"}
SINGLEUSER_KEYS = {"allowPrivilegeEscalation", "cloudMetadata", "cmd", "cpu", "defaultUrl", "events",
                   "extraAnnotations", "extraContainers", "extraEnv", "extraFiles", "extraLabels",
                   "extraNodeAffinity", "extraPodAffinity", "extraPodAntiAffinity", "extraPodConfig",
                   "extraResource", "extraTolerations", "fsGid", "image", "initContainers", "lifecycleHooks",
                   "memory", "networkPolicy", "networkTools", "nodeSelector", "podNameTemplate", "profileList",
                   "serviceAccountName", "startTimeout", "storage", "uid"}
STORAGE_KEYS = {"capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes", "homeMountPath",
                "static", "type"}
IMAGE_KEYS = {"name", "pullPolicy", "pullSecrets", "tag"}
RESOURCE_KEYS = {"guarantee", "limit"}
EXTRA_FILE_KEYS = {"mountPath", "data", "stringData", "binaryData", "mode"}
CULL_KEYS = {"adminUsers", "concurrency", "enabled", "every", "maxAge", "removeNamedServers", "timeout", "users"}
DB_TYPES = {"sqlite-pvc", "sqlite-memory", "mysql", "postgres", "other"}


def section_text() -> str:
    """The markdown of the guide's Z2JH section: from its heading to the next level-2 heading."""
    cells = nbformat.read(GUIDE, as_version=4).cells
    starts = [i for i, cell in enumerate(cells) if cell.source.startswith(HEADING)]
    assert len(starts) == 1, f"the instructor guide should have one cell starting {HEADING!r}, found {len(starts)}"
    parts = []
    for cell in cells[starts[0]:]:
        if parts and cell.source.startswith("## "):
            break
        assert cell.cell_type == "markdown", "the Z2JH section should be markdown only (it must run without a cluster)"
        parts.append(cell.source)
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def section() -> str:
    return section_text()


@pytest.fixture(scope="module")
def config(section) -> dict:
    blocks = re.findall(r"^```yaml\n(.*?)^```", section, re.S | re.M)
    assert len(blocks) == 1, \
        f"the Z2JH section should hold exactly one ```yaml block (config.yaml), found {len(blocks)}"
    parsed = yaml.safe_load(blocks[0])
    assert isinstance(parsed, dict), f"config.yaml should be a mapping, got {type(parsed).__name__}"
    return parsed


def unknown(mapping: dict, allowed: set[str], where: str) -> str:
    extra = sorted(set(mapping) - allowed)
    return f"{where} has keys the chart's values schema does not allow: {extra}"


def volumes_by_name(volumes) -> dict:
    """KubeSpawner and the chart take volumes and mounts as a list or as a dict of them."""
    items = volumes.values() if isinstance(volumes, dict) else volumes or []
    return {item["name"]: item for item in items}


def mounts_by_path(mounts) -> dict:
    items = mounts.values() if isinstance(mounts, dict) else mounts or []
    return {item["mountPath"]: item for item in items}


def claim(volume: dict) -> str | None:
    return (volume.get("persistentVolumeClaim") or {}).get("claimName")


def nbgrader_config(config: dict) -> Config:
    """The course-wide nbgrader config of the extra files, run as nbgrader runs a config file."""
    files = [f for f in config["singleuser"]["extraFiles"].values() if f["mountPath"].endswith("/nbgrader_config.py")]
    assert len(files) == 1, "singleuser.extraFiles should place one nbgrader_config.py (the course-wide config)"
    text = files[0]["stringData"]
    code = compile(text, "extraFiles nbgrader_config.py", "exec")  # a SyntaxError here names the line
    c = Config()
    exec(code, {"get_config": lambda: c, "c": c})
    return c


def course_id_of_the_kit() -> str:
    text = (ROOT / "nbgrader_config.py").read_text()
    found = re.findall(r'^c\.CourseDirectory\.course_id\s*=\s*"([^"]+)"', text, re.M)
    assert len(found) == 1, "the course's nbgrader_config.py should set CourseDirectory.course_id once"
    return found[0]


def profiles(config: dict) -> dict:
    listed = config["singleuser"].get("profileList") or []
    return {p.get("slug"): p for p in listed}


def test_keys_are_the_charts(config):
    assert not set(config) - CHART_KEYS, unknown(config, CHART_KEYS, "config.yaml")
    hub, single = config["hub"], config["singleuser"]
    assert not set(hub) - HUB_KEYS, unknown(hub, HUB_KEYS, "hub")
    assert not set(hub["db"]) - HUB_DB_KEYS, unknown(hub["db"], HUB_DB_KEYS, "hub.db")
    assert not set(single) - SINGLEUSER_KEYS, unknown(single, SINGLEUSER_KEYS, "singleuser")
    assert not set(single["storage"]) - STORAGE_KEYS, unknown(single["storage"], STORAGE_KEYS, "singleuser.storage")
    assert not set(single["image"]) - IMAGE_KEYS, unknown(single["image"], IMAGE_KEYS, "singleuser.image")
    for key in ("cpu", "memory"):
        assert not set(single[key]) - RESOURCE_KEYS, unknown(single[key], RESOURCE_KEYS, f"singleuser.{key}")
    assert not set(config["cull"]) - CULL_KEYS, unknown(config["cull"], CULL_KEYS, "cull")
    assert config["cull"].get("enabled") is True, "cull.enabled is required by the schema and should be true"
    for section_name in hub.get("config", {}):
        assert section_name[:1].isupper(), f"hub.config.{section_name}: sections must be class names (capitalised)"


def test_students_get_the_student_image_with_sized_limits(config):
    image = config["singleuser"]["image"]
    assert image.get("name") == STUDENT_IMAGE, \
        f"singleuser.image.name should be {STUDENT_IMAGE}, not {image.get('name')}"
    assert image.get("tag") == "0.1.0", f"singleuser.image.tag should be the string '0.1.0', not {image.get('tag')!r}"
    assert config["singleuser"]["cpu"].get("limit") == 1, "a student's server should be limited to 1 CPU"
    assert config["singleuser"]["memory"].get("limit") == "2G", "a student's server should be limited to 2G"


def test_the_student_image_leaves_out_the_formgrader():
    # the guide says the student bundle's Dockerfile does this; the config relies on it
    assert "server extension disable --sys-prefix nbgrader.server_extensions.formgrader" in bundle.DOCKERFILE, \
        "the student bundle's Dockerfile no longer disables the formgrader, as the Z2JH section says it does"
    assert "@jupyter/nbgrader:create-assignment" in bundle.DOCKERFILE, \
        "the student bundle's Dockerfile no longer disables Create Assignment, as the Z2JH section says it does"


def test_extra_files_have_a_path_and_content(config):
    files = config["singleuser"].get("extraFiles")
    assert files, "singleuser.extraFiles should hold the course-wide nbgrader config"
    for key, entry in files.items():
        assert not set(entry) - EXTRA_FILE_KEYS, unknown(entry, EXTRA_FILE_KEYS, f"singleuser.extraFiles.{key}")
        assert str(entry.get("mountPath", "")).startswith("/"), f"extraFiles.{key} needs an absolute mountPath"
        contents = [k for k in ("data", "stringData", "binaryData") if k in entry]
        assert len(contents) == 1, f"extraFiles.{key} needs exactly one of data, stringData, binaryData, has {contents}"


def test_nbgrader_config_names_the_course_and_the_exchange(config):
    c, course_id = nbgrader_config(config), course_id_of_the_kit()
    assert c.CourseDirectory.course_id == course_id, \
        f"the hub's nbgrader config sets course_id {c.CourseDirectory.course_id!r}, the course uses {course_id!r}"
    assert c.Exchange.root == "/srv/nbgrader/exchange", f"Exchange.root is {c.Exchange.root!r}"


def test_every_server_mounts_the_exchange_at_exchange_root(config):
    root = nbgrader_config(config).Exchange.root
    storage = config["singleuser"]["storage"]
    mount = mounts_by_path(storage.get("extraVolumeMounts")).get(root)
    assert mount, f"singleuser.storage.extraVolumeMounts should mount the exchange at Exchange.root ({root})"
    volume = volumes_by_name(storage.get("extraVolumes")).get(mount["name"])
    assert volume, f"the exchange mount names volume {mount['name']!r}, which singleuser.storage.extraVolumes lacks"
    assert claim(volume), f"the exchange volume {mount['name']!r} should be a PersistentVolumeClaim (ReadWriteMany)"


def test_only_the_instructor_profile_has_the_course_and_the_gradebook(config):
    found = profiles(config)
    assert set(found) == {"student", "instructor"}, f"profiles should be 'student' and 'instructor', found {set(found)}"
    student, instructor = found["student"], found["instructor"]
    assert student.get("default") is True, "the student profile should be the default"
    assert not student.get("kubespawner_override"), "the student profile should change nothing of the student default"

    override = instructor.get("kubespawner_override") or {}
    image = override.get("image", "")
    assert image and not image.startswith(STUDENT_IMAGE + ":"), \
        f"the instructor profile should name its own image, not the students' ({image!r})"
    course = mounts_by_path(override.get("volume_mounts")).get(COURSE_MOUNT)
    assert course, f"the instructor profile should mount the course at {COURSE_MOUNT}"
    volume = volumes_by_name(override.get("volumes")).get(course["name"])
    assert volume and claim(volume) == COURSE_PVC, f"the course mount should be the PVC {COURSE_PVC}"
    for kind in ("volumes", "volume_mounts", "environment"):
        assert isinstance(override.get(kind), dict), \
            f"the instructor profile's {kind} should be a dict, so KubeSpawner adds it to the chart's (chart 4.3+)"

    storage = config["singleuser"]["storage"]
    student_claims = {claim(v) for v in volumes_by_name(storage.get("extraVolumes")).values()}
    assert COURSE_PVC not in student_claims, "the course volume must not be mounted in students' servers"
    assert COURSE_MOUNT not in mounts_by_path(storage.get("extraVolumeMounts")), \
        "students' servers must not mount the course"
    assert not config["singleuser"].get("extraEnv"), \
        "students' servers should get no extra environment (no gradebook URL)"

    env = override["environment"]
    assert env.get("WORDSNUMS_ROOT") == COURSE_MOUNT, "the instructor's kit should find the course at WORDSNUMS_ROOT"
    secrets = {name for name, value in env.items()
               if isinstance(value, dict) and "secretKeyRef" in value.get("valueFrom", {})}
    assert "GRADEBOOK_URL" in secrets, "the gradebook URL should come from a Kubernetes Secret as GRADEBOOK_URL"
    leaked = sorted(name for name in secrets if name.startswith(sandbox.KEPT_PREFIXES))
    assert not leaked, f"the grading sandbox passes {leaked} on to students' code: name secrets otherwise"
    assert override.get("working_dir") == COURSE_MOUNT, "the instructor's server should start in the course folder"


def spawner(*groups: str):
    return SimpleNamespace(user=SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups]))


def test_only_instructors_are_offered_the_instructor_profile(config):
    groups = config["hub"]["config"]["JupyterHub"].get("load_groups", {})
    assert "instructors" in groups and groups["instructors"].get("users"), \
        "hub.config.JupyterHub.load_groups should define the group 'instructors' with its users"
    snippets = config["hub"].get("extraConfig", {})
    assert snippets, "hub.extraConfig should restrict the Instructor profile (profileList alone offers it to all)"
    c = Config()
    c.KubeSpawner.profile_list = config["singleuser"]["profileList"]
    for name, text in sorted(snippets.items()):
        exec(compile(text, f"hub.extraConfig.{name}", "exec"), {"c": c})
    offer = c.KubeSpawner.profile_list
    assert callable(offer), "after hub.extraConfig, KubeSpawner.profile_list should depend on the user"
    assert [p["slug"] for p in offer(spawner())] == ["student"], "a student should be offered only the student profile"
    assert [p["slug"] for p in offer(spawner("instructors"))] == ["student", "instructor"], \
        "a member of 'instructors' should be offered both profiles"


def test_hub_and_gradebook_databases_are_postgres(config, section):
    db = config["hub"]["db"]
    assert db.get("type") == "postgres", f"hub.db.type should be 'postgres', not {db.get('type')!r}"
    assert db.get("type") in DB_TYPES
    assert str(db.get("url", "")).startswith("postgresql"), "hub.db.url should be a PostgreSQL connection string"
    assert "password" not in db, "hub.db.password belongs on the command line (--set), not in the guide's config"
    assert 'c.CourseDirectory.db_url = os.environ.get("GRADEBOOK_URL"' in section, \
        "the section should show the course's nbgrader_config.py reading the gradebook URL from GRADEBOOK_URL"
    assert "postgresql+psycopg://USER:PASSWORD@HOST:5432/words_and_numbers" in section, \
        "the section should show the gradebook's URL form for the Secret"
