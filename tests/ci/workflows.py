#!/usr/bin/env python3
"""The CI integrations of examples/ci, run as the CI services would run them, without the services.

No GitHub or GitLab can be reached from the test machines, so this plays their part: it parses the
workflow (GitHub Actions) and pipeline (GitLab CI) YAML, picks the jobs an event selects by their
`if:` / `rules:`, and runs each step's shell in order with the service's environment variables, in a
clone of a local bare git repository holding a fleet repository (the quickstart fleet and the CI
files, nothing of fleetctl's source). Releases come from a file:// URL holding the archive that
tools/release.sh built; the REST APIs (comments and notes, the pull/merge request of a commit,
artifacts) are a small fake on loopback that records what the steps did. `uses:` steps are played
by stand-ins: actions/checkout clones, upload/download-artifact copy, and the local setup-fleetctl
composite action runs its own steps.

Usage: tests/ci/workflows.py RELEASE_DIR     (RELEASE_DIR holds fleetctl-VERSION-linux-x64.tar.gz and SHA256SUMS)
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FAILURES = []


def check(condition, what):
    print(("ok: " if condition else "FAILED: ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


def git(cwd, *args, capture=True):
    result = subprocess.run(["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
                            cwd=cwd, check=True, text=True, capture_output=capture)
    return result.stdout.strip() if capture else ""


# ---------------------------------------------------------------------------------------------- fake APIs

class FakeApi:
    """GitHub's and GitLab's REST endpoints that the steps call, with their state kept in dicts."""

    def __init__(self):
        self.comments = {}          # (service, number) -> [{"id", "body"}]
        self.commit_requests = {}   # (service, sha) -> number of the pull/merge request
        self.job_artifacts = {}     # gitlab job id -> directory
        self.next_id = 100
        self.calls = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                api.handle(self, "GET")

            def do_POST(self):
                api.handle(self, "POST")

            def do_PATCH(self):
                api.handle(self, "PATCH")

            def do_PUT(self):
                api.handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()

    def handle(self, request, method):
        url = urllib.parse.urlparse(request.path)
        path = url.path
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode() if length else ""
        self.calls.append((method, path))
        github_auth = request.headers.get("Authorization") == "Bearer github-token"
        gitlab_auth = request.headers.get("PRIVATE-TOKEN") == "gitlab-token"

        def reply(status, body):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)

        def new_comment(key, body):
            self.next_id += 1
            comment = {"id": self.next_id, "body": body}
            self.comments.setdefault(key, []).append(comment)
            return comment

        if m := re.fullmatch(r"/github/repos/acme/fleet/issues/(\d+)/comments", path):
            if not github_auth:
                return reply(401, {"message": "Bad credentials"})
            key = ("github", int(m[1]))
            if method == "GET":
                return reply(200, self.comments.get(key, []))
            return reply(201, new_comment(key, json.loads(raw)["body"]))
        if m := re.fullmatch(r"/github/repos/acme/fleet/issues/comments/(\d+)", path):
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(m[1]) and method == "PATCH" and github_auth:
                        comment["body"] = json.loads(raw)["body"]
                        return reply(200, comment)
            return reply(404, {"message": "Not Found"})
        if m := re.fullmatch(r"/github/repos/acme/fleet/commits/([0-9a-f]{40})/pulls", path):
            number = self.commit_requests.get(("github", m[1]))
            return reply(200, [] if number is None else [{"number": number}])

        if m := re.fullmatch(r"/gitlab/api/v4/projects/42/merge_requests/(\d+)/notes(?:/(\d+))?", path):
            if not gitlab_auth:
                return reply(401, {"message": "401 Unauthorized"})
            key = ("gitlab", int(m[1]))
            form = urllib.parse.parse_qs(raw)
            if method == "GET":
                return reply(200, self.comments.get(key, []))
            if method == "POST":
                return reply(201, new_comment(key, form["body"][0]))
            for comment in self.comments.get(key, []):
                if comment["id"] == int(m[2]):
                    comment["body"] = form["body"][0]
                    return reply(200, comment)
            return reply(404, {"message": "404 Not found"})
        if m := re.fullmatch(r"/gitlab/api/v4/projects/42/repository/commits/([0-9a-f]{40})/merge_requests", path):
            number = self.commit_requests.get(("gitlab", m[1]))
            return reply(200, [] if number is None else [{"iid": number}])
        if m := re.fullmatch(r"/gitlab/api/v4/projects/42/jobs/(\d+)/artifacts/(.+)", path):
            directory = self.job_artifacts.get(int(m[1]))
            file = directory and os.path.join(directory, m[2])
            if not gitlab_auth or not file or not os.path.exists(file):
                return reply(404, {"message": "404 Not found"})
            with open(file, "rb") as f:
                return reply(200, f.read())
        return reply(404, {"message": f"no fake for {method} {path}"})


# ------------------------------------------------------------------------------------- GitHub expressions

TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\))|([A-Za-z_][\w.\-]*)(\(\))?|(\d+))")


def evaluate(expression, context):
    """A GitHub Actions expression: context paths, 'strings', ==, !=, &&, ||, !, and the status functions."""
    python, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        m = TOKEN.match(expression, position)
        if not m or m.end() == position:
            raise ValueError(f"cannot evaluate {expression!r} at {position}")
        position = m.end()
        string, operator, name, call, number = m.groups()
        if string is not None:
            python.append(repr(string[1:-1].replace("''", "'")))
        elif operator:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(operator, operator))
        elif call:
            python.append(repr({"always": True, "success": not context["failed"], "failure": context["failed"],
                                "cancelled": False}[name]))
        elif name:
            python.append(repr(lookup(name, context)))
        else:
            python.append(number)
    return eval("".join(python), {"__builtins__": {}})  # noqa: S307 (the tokens above are all it can hold)


def lookup(path, context):
    value = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    return value


def substitute(text, context):
    if not isinstance(text, str):
        return text
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m[1], context)), text)


# ----------------------------------------------------------------------------------------- GitHub runner

class GitHub:
    def __init__(self, world):
        self.world = world
        self.artifacts = os.path.join(world.root, "github-artifacts")
        self.run_id = 1000

    def run(self, event_name, sha, ref, event, vars_, expect_jobs):
        """Runs the jobs of the workflow that this event selects; returns {job: (succeeded, log)}."""
        with open(os.path.join(self.world.seed, ".github", "workflows", "fleet.yml")) as f:
            workflow = yaml.safe_load(f)
        self.run_id += 1
        github = {"event_name": event_name, "sha": sha, "ref": ref, "event": event, "repository": "acme/fleet",
                  "run_id": str(self.run_id), "token": "github-token", "base_ref": event.get("base_ref", ""),
                  "api_url": self.world.api.url + "/github"}
        context = {"github": github, "vars": vars_, "secrets": {"FLEET_INVENTORY": self.world.inventory},
                   "env": {}, "failed": False}
        context["env"] = {k: str(substitute(v, context)) for k, v in workflow.get("env", {}).items()}
        results = {}
        for name, job in workflow["jobs"].items():
            selected = evaluate(job["if"][3:-2] if job["if"].startswith("${{") else job["if"], context)
            if not selected:
                continue
            results[name] = self.run_job(job, context)
        check(sorted(results) == sorted(expect_jobs), f"github {event_name}: runs jobs {sorted(expect_jobs)} (ran {sorted(results)})")
        return {job: results.get(job, (False, "job not run")) for job in expect_jobs}

    def run_job(self, job, workflow_context):
        work = tempfile.mkdtemp(dir=self.world.root, prefix="gh-job-")
        workspace = os.path.join(work, "workspace")
        temp = os.path.join(work, "runner-temp")
        os.makedirs(temp)
        files = {n: os.path.join(work, n) for n in ("output", "path", "env")}
        context = dict(workflow_context, steps={}, failed=False)
        env = dict(workflow_context["env"])
        env.update({k: str(substitute(v, context)) for k, v in job.get("env", {}).items()})
        github = context["github"]
        base_env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "CI": "true", "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": workspace, "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"],
            "GITHUB_EVENT_NAME": github["event_name"], "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_RUN_ID": github["run_id"], "GITHUB_API_URL": github["api_url"],
            "GITHUB_BASE_REF": github["base_ref"], "RUNNER_TEMP": temp,
            "RUNNER_TOOL_CACHE": os.path.join(work, "toolcache"), "GITHUB_OUTPUT": files["output"],
            "GITHUB_PATH": files["path"], "GITHUB_ENV": files["env"],
        }
        state = {"path": [], "log": [], "env": env}
        for step in job["steps"]:
            self.run_step(step, context, state, base_env, workspace, context["steps"])
        return (not context["failed"], "".join(state["log"]))

    def run_step(self, step, context, state, base_env, workspace, steps, action_path=None):
        condition = step.get("if", "success()")
        if not evaluate(condition[3:-2] if str(condition).startswith("${{") else str(condition), context):
            return
        outputs = {}
        ok = True
        if "uses" in step:
            ok = self.uses(step, context, state, base_env, workspace, outputs)
        else:
            step_env = dict(base_env)
            step_env.update(state["env"])
            step_env.update({k: str(substitute(v, context)) for k, v in step.get("env", {}).items()})
            step_env["PATH"] = ":".join(list(reversed(state["path"])) + [base_env["PATH"]])
            if action_path:
                step_env["GITHUB_ACTION_PATH"] = action_path
            for name in ("output", "path", "env"):
                open(base_env["GITHUB_" + name.upper()], "w").close()
            script = substitute(step["run"], context)
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                    cwd=workspace if os.path.isdir(workspace) else None, env=step_env,
                                    text=True, capture_output=True)
            state["log"].append(f"--- {step.get('name', script.splitlines()[0])}\n{result.stdout}{result.stderr}")
            ok = result.returncode == 0
            with open(base_env["GITHUB_OUTPUT"]) as f:
                outputs.update(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
            with open(base_env["GITHUB_PATH"]) as f:
                state["path"].extend(line.strip() for line in f if line.strip())
            with open(base_env["GITHUB_ENV"]) as f:
                state["env"].update(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        if "id" in step:
            steps[step["id"]] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
        if not ok and not step.get("continue-on-error"):
            context["failed"] = True

    def uses(self, step, context, state, base_env, workspace, outputs):
        action = step["uses"]
        inputs = {k: str(substitute(v, context)) for k, v in (step.get("with") or {}).items()}
        if action == "actions/checkout@v4":
            # fetch-depth 0: every branch as origin/*; a pull request checks out its merge commit, as GitHub does.
            git(None, "clone", "-q", self.world.origin, workspace)
            github = context["github"]
            if github["event_name"] == "pull_request":
                git(workspace, "checkout", "-q", "--detach", f"origin/{github['base_ref']}")
                git(workspace, "merge", "-q", "--no-ff", "-m", "merge", github["event"]["pull_request"]["head"]["sha"])
            else:
                git(workspace, "checkout", "-q", "--detach", github["sha"])
            return True
        if action == "actions/upload-artifact@v4":
            target = os.path.join(self.artifacts, context["github"]["run_id"], inputs["name"])
            os.makedirs(target, exist_ok=True)
            shutil.copy(os.path.join(workspace, inputs["path"]), target)
            return True
        if action == "actions/download-artifact@v4":
            source = os.path.join(self.artifacts, inputs["run-id"], inputs["name"])
            if inputs.get("github-token") != "github-token" or not os.path.isdir(source):
                state["log"].append(f"--- download-artifact: no artifact {inputs['name']} in run {inputs['run-id']}\n")
                return False
            shutil.copytree(source, os.path.join(workspace, inputs.get("path", ".")), dirs_exist_ok=True)
            return True
        if action.startswith("./"):
            path = os.path.join(workspace, action)
            with open(os.path.join(path, "action.yml")) as f:
                definition = yaml.safe_load(f)
            for name, spec in definition.get("inputs", {}).items():
                if spec.get("required") and not inputs.get(name):
                    state["log"].append(f"--- {action}: input {name} is required\n")
                    return False
                inputs.setdefault(name, str(spec.get("default", "")))
            local = dict(context, inputs=inputs, steps={}, failed=False)
            local["github"] = dict(context["github"], action_path=path)
            for inner in definition["runs"]["steps"]:
                self.run_step(inner, local, state, base_env, workspace, local["steps"], action_path=path)
            outputs.update({k: str(substitute(v["value"], local)) for k, v in definition.get("outputs", {}).items()})
            return not local["failed"]
        raise ValueError(f"no stand-in for {action}")


# ----------------------------------------------------------------------------------------- GitLab runner

class GitLab:
    def __init__(self, world):
        self.world = world
        self.job_id = 5000

    def run(self, variables, expect_jobs):
        with open(os.path.join(self.world.seed, ".gitlab-ci.yml")) as f:
            pipeline = yaml.safe_load(f)
        results = {}
        for name, job in pipeline.items():
            if name.startswith(".") or not isinstance(job, dict) or "script" not in job:
                continue
            job = self.extend(job, pipeline)
            all_variables = dict(pipeline.get("variables", {}), **variables)
            if not any(self.rule(r["if"], all_variables) for r in job.get("rules", [])):
                continue
            results[name] = self.run_job(job, all_variables)
        check(sorted(results) == sorted(expect_jobs), f"gitlab {variables['CI_PIPELINE_SOURCE']}: runs jobs {sorted(expect_jobs)} (ran {sorted(results)})")
        return {job: results.get(job, (False, "job not run")) for job in expect_jobs}

    @staticmethod
    def extend(job, pipeline):
        base = pipeline[job["extends"]] if "extends" in job else {}
        return dict(base, **job)

    @staticmethod
    def rule(condition, variables):
        """GitLab's `if:` for the forms the pipeline uses: $A == "x", $A == $B."""
        m = re.fullmatch(r'\s*\$(\w+)\s*==\s*(?:"([^"]*)"|\$(\w+))\s*', condition)
        if not m:
            raise ValueError(f"cannot evaluate rule {condition!r}")
        right = m[2] if m[2] is not None else variables.get(m[3])
        return variables.get(m[1]) is not None and variables.get(m[1]) == right

    def run_job(self, job, variables):
        self.job_id += 1
        work = tempfile.mkdtemp(dir=self.world.root, prefix="gl-job-")
        project = os.path.join(work, "project")
        # The runner's fetch: a clone at the pipeline's commit, GIT_DEPTH 0, the default branch as origin/*.
        git(None, "clone", "-q", self.world.origin, project)
        git(project, "checkout", "-q", "--detach", variables["CI_COMMIT_SHA"])
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "CI": "true", "GITLAB_CI": "true",
               "CI_PROJECT_DIR": project, "CI_JOB_ID": str(self.job_id), "CI_API_V4_URL": self.world.api.url + "/gitlab/api/v4",
               "CI_PROJECT_ID": "42", "GITLAB_TOKEN": "gitlab-token",
               "FLEET_INVENTORY": self.world.inventory}
        env.update({k: str(v) for k, v in variables.items()})
        # The runner's bash: one shell for before_script and script, stopping at the first failing command.
        script = "\n".join(job.get("before_script", []) + job["script"])
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=project,
                                env=env, text=True, capture_output=True)
        artifacts = job.get("artifacts", {}).get("paths", [])
        if artifacts:
            store = os.path.join(work, "artifacts")
            os.makedirs(store)
            for path in artifacts:
                if os.path.exists(os.path.join(project, path)):
                    shutil.copy(os.path.join(project, path), store)
            self.world.api.job_artifacts[self.job_id] = store
        return (result.returncode == 0, result.stdout + result.stderr)


# ------------------------------------------------------------------------------------------------- world

class World:
    """A fleet repository in a bare git repository, a shared inventory, a release at a file:// URL, fake APIs."""

    def __init__(self, release_dir):
        self.root = tempfile.mkdtemp(prefix="fleet-ci.")
        archives = glob.glob(os.path.join(release_dir, "fleetctl-*-linux-x64.tar.gz"))
        if len(archives) != 1:
            sys.exit(f"{release_dir}: expected one fleetctl-*-linux-x64.tar.gz, found {archives}")
        self.version = re.fullmatch(r"fleetctl-(.+)-linux-x64\.tar\.gz", os.path.basename(archives[0]))[1]
        releases = os.path.join(self.root, "releases", "v" + self.version)
        os.makedirs(releases)
        shutil.copy(archives[0], releases)
        shutil.copy(os.path.join(release_dir, "SHA256SUMS"), releases)
        self.releases_url = "file://" + os.path.join(self.root, "releases")
        with open(os.path.join(release_dir, "SHA256SUMS")) as f:
            self.sha256 = f.read().split()[0]

        self.origin = os.path.join(self.root, "origin.git")
        git(None, "init", "-q", "--bare", "-b", "main", self.origin)
        self.seed = os.path.join(self.root, "seed")
        git(None, "init", "-q", "-b", "main", self.seed)
        shutil.copytree(os.path.join(REPO, "examples", "quickstart"), os.path.join(self.seed, "fleet"),
                        ignore=shutil.ignore_patterns(".fleet"))
        shutil.copytree(os.path.join(REPO, "examples", "ci", "github", ".github"), os.path.join(self.seed, ".github"))
        shutil.copy(os.path.join(REPO, "examples", "ci", "gitlab", ".gitlab-ci.yml"), self.seed)
        # The workflows pin a released version; here, the one under test.
        for path in (".github/workflows/fleet.yml", ".gitlab-ci.yml"):
            self.edit(path, lambda text: re.sub(r'FLEETCTL_VERSION: "[^"]*"', f'FLEETCTL_VERSION: "{self.version}"', text))
        git(self.seed, "add", "-A")
        git(self.seed, "commit", "-q", "-m", "a fleet")
        git(self.seed, "remote", "add", "origin", self.origin)
        git(self.seed, "push", "-q", "origin", "main")

        # The datacenter's machines, known to the inventory before any pipeline runs.
        self.inventory = "sqlite:" + os.path.join(self.root, "inventory.db")
        tools = os.path.join(self.root, "tools")
        os.makedirs(tools)
        subprocess.run(["tar", "-xzf", archives[0], "-C", tools, "--strip-components=1"], check=True)
        self.fleetctl = os.path.join(tools, "bin", "fleetctl")
        subprocess.run([self.fleetctl, "-C", os.path.join(self.seed, "fleet"), "inventory", "ingest",
                        os.path.join(self.seed, "fleet", "recon")], check=True, capture_output=True,
                       env=dict(os.environ, FLEET_INVENTORY=self.inventory))
        self.api = FakeApi()

    def edit(self, path, change):
        full = os.path.join(self.seed, path)
        with open(full) as f:
            text = f.read()
        with open(full, "w") as f:
            f.write(change(text))

    def commit(self, branch, message, path, change):
        git(self.seed, "checkout", "-q", branch)
        self.edit(path, change)
        git(self.seed, "commit", "-q", "-am", message)
        git(self.seed, "push", "-q", "origin", branch)
        return git(self.seed, "rev-parse", "HEAD")

    def merge(self, branch):
        git(self.seed, "checkout", "-q", "main")
        git(self.seed, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)
        git(self.seed, "push", "-q", "origin", "main")
        return git(self.seed, "rev-parse", "HEAD")

    def in_use(self):
        out = subprocess.run([self.fleetctl, "-C", os.path.join(self.seed, "fleet"), "inventory", "list", "--state", "in_use",
                              "--format", "json"], check=True, capture_output=True, text=True,
                             env=dict(os.environ, FLEET_INVENTORY=self.inventory)).stdout
        return len(json.loads(out))


def size(pool, value):
    return lambda text: re.sub(rf"(name: {pool}\n(?:.*\n)*?size: )\d+", rf"\g<1>{value}", text, count=1)


def comments(world, key):
    return world.api.comments.get(key, [])


def scenario_github(world):
    gh = GitHub(world)
    vars_ = {"FLEETCTL_RELEASES": world.releases_url}

    def pr_event(number, head):
        return {"base_ref": "main", "pull_request": {"number": number, "head": {"sha": head}}}

    git(world.seed, "checkout", "-q", "-b", "grow-web", "main")
    git(world.seed, "push", "-q", "origin", "grow-web")
    head = world.commit("grow-web", "grow web-lon", "fleet/pools/lon.yaml", size("web-lon", 6))
    results = gh.run("pull_request", head, "refs/pull/7/merge", pr_event(7, head), vars_, ["plan"])
    ok, log = results["plan"]
    check(ok, "github plan: succeeds on a pull request" + ("" if ok else "\n" + log))
    notes = comments(world, ("github", 7))
    check(len(notes) == 1 and notes[0]["body"].startswith(f"<!-- fleetctl-plan commit={head} checksum=sha256:"),
          "github plan: one comment, with the marker of the plan's commit and checksum")
    check(len(notes) == 1 and "pool/web-lon" in notes[0]["body"] and "size 5 → 6" in notes[0]["body"],
          "github plan: the comment shows the desired-state change against the merge base and the plan")

    broken = world.commit("grow-web", "typo", "fleet/pools/lon.yaml", lambda t: t.replace("size: 6", "sise: 6", 1))
    ok, log = gh.run("pull_request", broken, "refs/pull/7/merge", pr_event(7, broken), vars_, ["plan"])["plan"]
    notes = comments(world, ("github", 7))
    check(not ok, "github plan: a failed plan fails the job")
    check(len(notes) == 1 and "fleetctl plan failed" in notes[0]["body"] and "unknown field 'sise'" in notes[0]["body"]
          and "pools/lon.yaml:" in notes[0]["body"], "github plan: a failed plan is posted, with its diagnostics, in the same comment")

    head = world.commit("grow-web", "grow web-lon to 7", "fleet/pools/lon.yaml", lambda t: t.replace("sise: 6", "size: 7", 1))
    ok, log = gh.run("pull_request", head, "refs/pull/7/merge", pr_event(7, head), vars_, ["plan"])["plan"]
    notes = comments(world, ("github", 7))
    check(ok and len(notes) == 1 and f"commit={head} checksum=sha256:" in notes[0]["body"] and "size 5 → 7" in notes[0]["body"],
          "github plan: the next push updates the same comment in place" + ("" if ok else "\n" + log))
    checksum = re.search(r"checksum=(sha256:[0-9a-f]+)", notes[0]["body"])[1]

    merged = world.merge("grow-web")
    world.api.commit_requests[("github", merged)] = 7
    before = world.in_use()

    # A valid plan that is not the reviewed one in the artifact's place (the first plan of the pull
    # request, say): --checksum refuses it and nothing is applied.
    first, reviewed = (os.path.join(gh.artifacts, run) for run in sorted(os.listdir(gh.artifacts))[:2])
    reviewed_plan = glob.glob(os.path.join(reviewed, "*", "plan.json"))[0]
    shutil.copy(reviewed_plan, reviewed_plan + ".kept")
    shutil.copy(glob.glob(os.path.join(first, "*", "plan.json"))[0], reviewed_plan)
    ok, log = gh.run("push", merged, "refs/heads/main", {}, vars_, ["apply"])["apply"]
    check(not ok and "checksum" in log and world.in_use() == before,
          "github apply: a plan file other than the reviewed one is refused by --checksum" + ("\n" + log if ok else ""))
    shutil.move(reviewed_plan + ".kept", reviewed_plan)
    ok, log = gh.run("push", merged, "refs/heads/main", {}, vars_, ["apply"])["apply"]
    check(ok and f"applying the plan reviewed on pull request #7: {checksum}" in log and "Apply complete" in log,
          "github apply: on merge, applies the reviewed plan by its checksum" + ("" if ok else "\n" + log))
    check(world.in_use() > before, f"github apply: machines installed ({before} in use before, {world.in_use()} after)")

    direct = world.commit("main", "grow cache-lon", "fleet/pools/lon.yaml", size("cache-lon", 5))
    ok, log = gh.run("push", direct, "refs/heads/main", {}, vars_, ["apply"])["apply"]
    check(ok and f"no pull request merged {direct}: applying the commit" in log and "Apply complete" in log,
          "github apply: a push without a pull request applies the merged commit" + ("" if ok else "\n" + log))

    # A pull request whose merged desired state differs from the planned one (main moved): the commit is applied.
    git(world.seed, "checkout", "-q", "-b", "grow-sto", direct)
    head = world.commit("grow-sto", "grow web-sto", "fleet/pools/sto.yaml", size("web-sto", 5))
    ok, _ = gh.run("pull_request", head, "refs/pull/8/merge", pr_event(8, head), vars_, ["plan"])["plan"]
    world.commit("main", "grow fancydb-lon", "fleet/pools/lon.yaml", size("fancydb-lon", 5))
    merged = world.merge("grow-sto")
    world.api.commit_requests[("github", merged)] = 8
    ok, log = gh.run("push", merged, "refs/heads/main", {}, vars_, ["apply"])["apply"]
    check(ok and "is not the one planned at" in log and "Apply complete" in log,
          "github apply: when main moved after the review, applies the merged commit instead of the stale plan" + ("" if ok else "\n" + log))

    # setup-fleetctl refuses an archive that does not match the pinned SHA-256.
    results = gh.run("push", merged, "refs/heads/main", {}, dict(vars_, FLEETCTL_SHA256="0" * 64), ["apply"])
    ok, log = results["apply"]
    check(not ok and "does not match its SHA-256" in log and "Apply complete" not in log,
          "github setup-fleetctl: a wrong SHA-256 stops the job before fleetctl runs")

    workflow = yaml.safe_load(open(os.path.join(world.seed, ".github", "workflows", "fleet.yml")))
    concurrency = workflow["jobs"]["apply"]["concurrency"]
    check(concurrency["group"] == "fleet-apply" and concurrency["cancel-in-progress"] is False,
          "github apply: one concurrency group for every apply, nothing cancelled, so applies queue")


def scenario_gitlab(world):
    gl = GitLab(world)
    common = {"FLEETCTL_RELEASES": world.releases_url, "FLEETCTL_SHA256": world.sha256, "CI_DEFAULT_BRANCH": "main"}

    def mr(sha, iid):
        return dict(common, CI_PIPELINE_SOURCE="merge_request_event", CI_COMMIT_SHA=sha,
                    CI_MERGE_REQUEST_IID=str(iid), CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")

    def push(sha):
        return dict(common, CI_PIPELINE_SOURCE="push", CI_COMMIT_SHA=sha, CI_COMMIT_BRANCH="main")

    git(world.seed, "checkout", "-q", "-b", "grow-api", "main")
    head = world.commit("grow-api", "grow web-lon", "fleet/pools/lon.yaml", size("web-lon", 8))
    ok, log = gl.run(mr(head, 3), ["plan"])["plan"]
    notes = comments(world, ("gitlab", 3))
    check(ok and len(notes) == 1 and notes[0]["body"].startswith(f"<!-- fleetctl-plan commit={head} checksum=sha256:")
          and "size 7 → 8" in notes[0]["body"], "gitlab plan: one note with the plan on a merge request" + ("" if ok else "\n" + log))

    broken = world.commit("grow-api", "typo", "fleet/pools/lon.yaml", lambda t: t.replace("size: 8", "sise: 8", 1))
    ok, log = gl.run(mr(broken, 3), ["plan"])["plan"]
    notes = comments(world, ("gitlab", 3))
    check(not ok and len(notes) == 1 and "fleetctl plan failed" in notes[0]["body"] and "unknown field 'sise'" in notes[0]["body"],
          "gitlab plan: a failed plan fails the job and is posted in the same note")

    head = world.commit("grow-api", "fix", "fleet/pools/lon.yaml", lambda t: t.replace("sise: 8", "size: 8", 1))
    ok, log = gl.run(mr(head, 3), ["plan"])["plan"]
    notes = comments(world, ("gitlab", 3))
    check(ok and len(notes) == 1 and f"commit={head} checksum=sha256:" in notes[0]["body"],
          "gitlab plan: the next push updates the same note" + ("" if ok else "\n" + log))
    checksum = re.search(r"checksum=(sha256:[0-9a-f]+)", notes[0]["body"])[1]

    merged = world.merge("grow-api")
    world.api.commit_requests[("gitlab", merged)] = 3
    ok, log = gl.run(push(merged), ["apply"])["apply"]
    check(ok and f"applying the plan reviewed on merge request !3: {checksum}" in log and "Apply complete" in log,
          "gitlab apply: on the default branch, applies the reviewed plan by its checksum" + ("" if ok else "\n" + log))

    direct = world.commit("main", "grow cache-lon", "fleet/pools/lon.yaml", size("cache-lon", 6))
    ok, log = gl.run(push(direct), ["apply"])["apply"]
    check(ok and f"applying the merged commit {direct}" in log and "Apply complete" in log,
          "gitlab apply: a commit without a merge request is applied by --ref" + ("" if ok else "\n" + log))

    ok, log = gl.run(dict(push(direct), FLEETCTL_SHA256="0" * 64), ["apply"])["apply"]
    check(not ok and "does not match its SHA-256" in log, "gitlab: a wrong SHA-256 stops the job before fleetctl runs")

    pipeline = yaml.safe_load(open(os.path.join(world.seed, ".gitlab-ci.yml")))
    check(pipeline["apply"].get("resource_group") == "fleet-apply", "gitlab apply: a resource group, so applies queue")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    world = World(os.path.abspath(sys.argv[1]))
    try:
        scenario_github(world)
        scenario_gitlab(world)
    finally:
        world.api.stop()
        if not FAILURES:
            shutil.rmtree(world.root, ignore_errors=True)
        else:
            print(f"(kept {world.root} for a look)")
    if FAILURES:
        print(f"ci workflows: {len(FAILURES)} failed", file=sys.stderr)
        sys.exit(1)
    print("ci workflows: passed")


if __name__ == "__main__":
    main()
