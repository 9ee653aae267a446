"""The deployment files say what docs/deployment.md promises: Dockerfile, .dockerignore and the doc itself.

Docker is not needed: the Dockerfile is parsed here, instruction by instruction.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
APP_CODE = [ROOT / "app.py", *sorted(p for d in ("intervision", "ui", "pages") for p in (ROOT / d).rglob("*.py"))]

HEALTH_URL = "http://localhost:8501/_stcore/health"
# Read by the server under the app, not by the app's code, and needed behind a proxy or for secrets.
SERVER_ENV_VARS = ["FORWARDED_ALLOW_IPS", "STREAMLIT_SECRETS_FILES", "STREAMLIT_SERVER_COOKIE_SECRET"]


# --- a small Dockerfile parser ----------------------------------------------------------------


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: line continuations joined, comment lines dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # Docker drops comment lines, also inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return instructions


def _exec_form(arguments: str) -> list[str]:
    """The JSON (exec) form of CMD, ENTRYPOINT, VOLUME and HEALTHCHECK ... CMD."""
    assert arguments.startswith("["), f"expected the JSON form, got: {arguments}"
    words = json.loads(arguments)
    assert isinstance(words, list) and all(isinstance(word, str) for word in words)
    return words


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _all(instructions: list[tuple[str, str]], keyword: str) -> list[tuple[int, str]]:
    return [(index, arguments) for index, (name, arguments) in enumerate(instructions) if name == keyword]


def _one(instructions: list[tuple[str, str]], keyword: str) -> tuple[int, str]:
    found = _all(instructions, keyword)
    assert len(found) == 1, f"expected one {keyword}, found {len(found)}"
    return found[0]


def _env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for _, arguments in _all(instructions, "ENV"):
        for pair in shlex.split(arguments):
            name, equals, value = pair.partition("=")
            assert equals, f"use ENV NAME=value, not the legacy form: {arguments}"
            values[name] = value
    return values


def _shell_commands(run_arguments: str) -> list[list[str]]:
    """The simple commands of a RUN in shell form, split at && ; and |."""
    commands: list[list[str]] = [[]]
    lexer = shlex.shlex(run_arguments, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    for token in lexer:
        if token in {"&&", ";", "||", "|", "&"}:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


# --- Dockerfile -----------------------------------------------------------------------------


def test_the_parser_reads_continued_instructions_and_skips_comments() -> None:
    text = '# syntax\nFROM a\nRUN one \\\n    # a comment inside\n    && two\nCMD ["x"]\n'
    assert _instructions(text) == [("FROM", "a"), ("RUN", "one && two"), ("CMD", '["x"]')]


def test_the_image_starts_from_python_311_slim(dockerfile: list[tuple[str, str]]) -> None:
    stages = _all(dockerfile, "FROM")
    assert stages, "no FROM"
    final_base = stages[-1][1].split()[0]
    assert final_base == "python:3.11-slim" or final_base.startswith(("python:3.11-slim@", "python:3.11-slim-"))


def test_the_server_runs_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    users = _all(dockerfile, "USER")
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    user = last_user.split(":")[0]
    assert user not in {"root", "0"}, f"USER {last_user} is root"
    entrypoint_index, _ = _one(dockerfile, "ENTRYPOINT")
    cmd_index, _ = _one(dockerfile, "CMD")
    assert last_index < entrypoint_index and last_index < cmd_index, "USER must come before ENTRYPOINT and CMD"


def test_the_healthcheck_asks_streamlit_with_python(dockerfile: list[tuple[str, str]]) -> None:
    _, arguments = _one(dockerfile, "HEALTHCHECK")
    options, marker, command = arguments.partition("CMD ")
    assert marker, "HEALTHCHECK needs a CMD"
    assert "NONE" not in options
    words = _exec_form(command.strip())
    assert words[:2] == ["python", "-c"], "the slim image has no curl: call the URL with Python"
    code = words[2]
    compile(code, "<healthcheck>", "exec")  # a typo would make the container unhealthy forever
    assert "urllib.request" in code
    assert HEALTH_URL in re.findall(r"https?://[^'\"\s]+", code)
    assert not re.search(r"\b(curl|wget)\b", arguments)


def test_the_database_lives_on_a_volume(dockerfile: list[tuple[str, str]]) -> None:
    database = PurePosixPath(_env(dockerfile)["INTERVISION_DB"])
    assert database == PurePosixPath("/data/intervision.db")
    volume_index, volume = _one(dockerfile, "VOLUME")
    volumes = [PurePosixPath(v) for v in (_exec_form(volume) if volume.startswith("[") else volume.split())]
    assert PurePosixPath("/data") in volumes
    assert any(database.is_relative_to(v) for v in volumes), "INTERVISION_DB must point into a volume"
    # Changes to a volume's directory after VOLUME are thrown away: /data must be the user's before it.
    assert any(
        "chown" in arguments and "/data" in arguments for _, arguments in _all(dockerfile[:volume_index], "RUN")
    ), "/data is not given to the app user before VOLUME"


def test_the_image_exposes_streamlits_port(dockerfile: list[tuple[str, str]]) -> None:
    ports = {port for _, arguments in _all(dockerfile, "EXPOSE") for port in arguments.split()}
    assert "8501" in ports or "8501/tcp" in ports


def test_only_the_runtime_requirements_are_installed(dockerfile: list[tuple[str, str]]) -> None:
    assert not any("requirements-test.txt" in arguments for _, arguments in dockerfile)
    installs = [
        (index, command)
        for index, arguments in _all(dockerfile, "RUN")
        for command in _shell_commands(arguments)
        if "pip" in command[0] and "install" in command
    ]
    assert installs, "no pip install"
    for index, command in installs:
        arguments = command[command.index("install") + 1 :]
        named = [word for word in arguments if not word.startswith("-")]
        assert named == ["requirements.txt"], f"pip installs more than requirements.txt: {command}"
        assert "-r" in arguments or "--requirement" in arguments
        copied_before = " ".join(arguments for _, arguments in _all(dockerfile[:index], "COPY"))
        assert "requirements.txt" in copied_before, "requirements.txt is installed before it is copied"


def test_the_entrypoint_migrates_and_then_starts_streamlit(dockerfile: list[tuple[str, str]]) -> None:
    _, entrypoint = _one(dockerfile, "ENTRYPOINT")
    script = " ".join(_exec_form(entrypoint))
    assert "python -m intervision.db" in script
    assert 'exec "$@"' in script, "the command must replace the shell, so it gets SIGTERM as PID 1"
    assert script.index("python -m intervision.db") < script.index('exec "$@"')
    assert "&&" in script, "the server must not start when the migration failed"

    _, cmd = _one(dockerfile, "CMD")
    command = _exec_form(cmd)
    assert command[:3] == ["streamlit", "run", "app.py"]
    for flag in [
        "--server.address=0.0.0.0",
        "--server.port=8501",
        "--server.headless=true",
        "--server.enableXsrfProtection=true",
        "--browser.gatherUsageStats=false",
    ]:
        assert flag in command, f"{flag} missing from CMD"


# --- .dockerignore ----------------------------------------------------------------------------


def _ignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions (!) are not modelled by this test"
    return [p.lstrip("/").rstrip("/") for p in patterns]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Roughly Docker's rule: a path is left out when it or a folder above it matches a pattern.

    fnmatch's `*` also crosses `/`, so this errs towards "ignored": safe for the "kept" checks below.
    """
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for pattern in patterns:
        candidates = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(prefix, p) for prefix in prefixes for p in candidates):
            return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "data/intervision.db",
        "data/intervision.db-wal",
        "data/intervision.db-shm",
        "test-artifacts/01-welcome-phone.png",
        ".git/HEAD",
        ".pytest_cache/README.md",
        ".ruff_cache/CACHEDIR.TAG",
        "intervision/__pycache__/db.cpython-311.pyc",
        ".streamlit/secrets.toml",
    ],
)
def test_dockerignore_leaves_out(path: str) -> None:
    assert _ignored(path, _ignore_patterns())


@pytest.mark.parametrize(
    "path",
    [
        "app.py",
        "requirements.txt",
        ".streamlit/config.toml",
        "intervision/db.py",
        "intervision/i18n/en.toml",
        "pages/home.py",
        "ui/cookie_routes.py",
        "methods/incident.toml",
        "data/instruments/self_efficacy.toml",
        "data/first_names.txt",
    ],
)
def test_dockerignore_keeps_what_the_app_reads(path: str) -> None:
    assert (ROOT / path).exists(), f"{path} moved: update this test"
    assert not _ignored(path, _ignore_patterns())


# --- the server's configuration ---------------------------------------------------------------


def test_the_server_does_not_collect_all_garbage_after_every_run() -> None:
    """Streamlit's gc.collect(2) after each script run was 85% of the server's CPU with thirty phones
    polling a live session, and the server stopped answering at about twenty (bench/RESULTS.md, live)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"  # nor poll the app's files for changes


# --- docs/deployment.md -------------------------------------------------------------------------


def _environment_variables_read(file: Path) -> tuple[set[str], list[str]]:
    """Names read through os.environ / os.getenv in `file`, and the places where the name is not a literal."""
    tree = ast.parse(file.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    names: set[str] = set()
    unresolved: list[str] = []

    def literal(node: ast.AST | None) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    for node in ast.walk(tree):
        label = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if label not in {"environ", "getenv", "environb", "getenvb"}:
            continue
        parent = parents.get(node)
        name: str | None = None
        if label.startswith("getenv") and isinstance(parent, ast.Call) and parent.func is node:
            name = literal(parent.args[0]) if parent.args else None
        elif isinstance(parent, ast.Subscript) and parent.value is node:
            name = literal(parent.slice)
        elif isinstance(parent, ast.Attribute) and parent.value is node:
            call = parents.get(parent)
            if isinstance(call, ast.Call) and call.func is parent and call.args:
                name = literal(call.args[0])
        elif isinstance(parent, ast.Compare) and parent.comparators and parent.comparators[-1] is node:
            name = literal(parent.left)
        if name is None:
            unresolved.append(f"{file.name}:{node.lineno}")
        else:
            names.add(name)
    return names, unresolved


def test_the_environment_scanner_finds_each_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom os import environ, getenv\n"
        "os.environ.get('A')\nos.environ['B']\nos.getenv('C', 'x')\n'D' in os.environ\n"
        "environ.get('E')\ngetenv('F')\nos.environ.get(name)\n",
        encoding="utf-8",
    )
    names, unresolved = _environment_variables_read(sample)
    assert names == {"A", "B", "C", "D", "E", "F"}
    assert len(unresolved) == 1


def test_every_environment_variable_the_app_reads_is_documented() -> None:
    doc = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    read: set[str] = set()
    unresolved: list[str] = []
    for file in APP_CODE:
        names, places = _environment_variables_read(file)
        read |= names
        unresolved += places
    assert not unresolved, f"an environment variable is read by a computed name; document it: {unresolved}"
    assert "INTERVISION_DB" in read, "the scan no longer finds intervision/config.py's variable"
    missing = sorted(name for name in read | set(SERVER_ENV_VARS) if f"`{name}`" not in doc)
    assert not missing, f"not documented in docs/deployment.md: {missing}"


def test_every_env_and_flag_of_the_image_is_documented(dockerfile: list[tuple[str, str]]) -> None:
    doc = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    missing = [name for name in _env(dockerfile) if name not in doc]
    _, cmd = _one(dockerfile, "CMD")
    missing += [flag for flag in _exec_form(cmd) if flag.startswith("--") and flag not in doc]
    assert not missing, f"not documented in docs/deployment.md: {missing}"


def test_the_single_sign_on_settings_are_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[auth\]\n.*?)```", readme, re.DOTALL)
    assert block, "README.md no longer shows the [auth] section"
    keys = tomllib.loads(block.group(1))["auth"].keys()
    doc = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    assert "secrets.toml" in doc and ":ro" in doc
    missing = sorted(key for key in keys if f"`{key}`" not in doc)
    assert not missing, f"[auth] keys not documented in docs/deployment.md: {missing}"


@pytest.mark.parametrize(
    "needed",
    [
        "/_stcore/stream",
        "proxy_set_header Upgrade $http_upgrade",
        "proxy_set_header Host $host",
        "proxy_set_header X-Forwarded-Proto $scheme",
        "proxy_read_timeout 1d",
        "proxy_buffering off",
        "server.baseUrlPath",
        "/_stcore/health",
        ".backup /backup/",
        "BEGIN IMMEDIATE",
        "intervision/store/",
    ],
)
def test_the_deployment_doc_covers(needed: str) -> None:
    assert needed in DEPLOYMENT_DOC.read_text(encoding="utf-8")


# --- deploy/: PostgreSQL, two app containers and the sticky proxy ---------------------------------

COMPOSE = ROOT / "deploy" / "compose.yaml"
HAPROXY = ROOT / "deploy" / "haproxy.cfg"
STICKY_COOKIE = "INTERVISION_REPLICA"


@pytest.fixture(scope="module")
def compose() -> dict:
    import yaml  # test-only dependency (requirements-test.txt)

    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _haproxy_sections(text: str) -> dict[str, list[str]]:
    """HAProxy's sections ('backend intervision_app', 'defaults', …) with their directive lines, comments dropped."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not raw[0].isspace():
            current = sections.setdefault(" ".join(line.split()), [])
        else:
            assert current is not None, f"a directive outside any section: {raw}"
            current.append(" ".join(line.split()))
    return sections


@pytest.fixture(scope="module")
def haproxy() -> dict[str, list[str]]:
    return _haproxy_sections(HAPROXY.read_text(encoding="utf-8"))


def _app_services(compose: dict) -> dict[str, dict]:
    return {name: service for name, service in compose["services"].items() if name.startswith("app")}


def _depends_on(service: dict) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: condition.get("condition", "service_started") for name, condition in depends.items()}


def test_the_haproxy_parser_reads_sections_and_skips_comments() -> None:
    text = "global\n    maxconn 10  # why\n# a comment\nbackend b\n    server  a  a:1 check\n"
    assert _haproxy_sections(text) == {"global": ["maxconn 10"], "backend b": ["server a a:1 check"]}


def test_two_app_containers_stand_behind_the_proxy(compose, haproxy) -> None:
    apps = _app_services(compose)
    assert sorted(apps) == ["app1", "app2"]
    backend = haproxy["backend intervision_app"]
    servers = {line.split()[1]: line.split() for line in backend if line.startswith("server ")}
    assert sorted(servers) == ["app1", "app2"]
    for name, words in servers.items():
        assert words[2] == f"{name}:8501", "each server line must address its own container by service name"
        assert "check" in words and words[words.index("cookie") + 1] == name
    assert "balance roundrobin" in backend
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("haproxy:2.8")
    assert any(volume.startswith("./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg") for volume in proxy["volumes"])
    assert not any("ports" in app for app in apps.values()), "only the proxy is published"


def test_each_browser_sticks_to_its_container_websocket_included(haproxy) -> None:
    backend = haproxy["backend intervision_app"]
    cookie = next(line.split() for line in backend if line.startswith("cookie "))
    assert cookie[1] == STICKY_COOKIE
    assert {"insert", "indirect", "nocache"} <= set(cookie[2:])
    assert "timeout tunnel 1h" in haproxy["defaults"], "websockets are closed after the default (client) timeout"
    assert "option httpchk" in backend and "http-check send meth GET uri /_stcore/health" in backend
    frontend = haproxy["frontend intervision"]
    assert "option forwardfor" in frontend
    assert "http-request set-header X-Forwarded-Proto https if { ssl_fc }" in frontend


def test_the_apps_believe_forwarded_headers_from_the_proxy_only(compose) -> None:
    proxy_address = compose["services"]["proxy"]["networks"]["intervision"]["ipv4_address"]
    for app in _app_services(compose).values():
        assert app["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address


def test_every_app_and_the_migration_use_the_postgresql_url(compose) -> None:
    expected = "postgresql+psycopg://intervision:${POSTGRES_PASSWORD"
    for name in [*_app_services(compose), "migrate"]:
        url = compose["services"][name]["environment"]["INTERVISION_DATABASE_URL"]
        assert url.startswith(expected) and url.endswith("@postgres:5432/intervision"), name
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_the_migration_runs_once_before_the_apps_start(compose) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["entrypoint"] == ["python", "-m", "intervision.db"]
    assert migrate.get("restart", "no") == "no"
    assert _depends_on(migrate) == {"postgres": "service_healthy"}
    for name, app in _app_services(compose).items():
        assert _depends_on(app).get("migrate") == "service_completed_successfully", name
        assert _depends_on(app).get("postgres") == "service_healthy", name
